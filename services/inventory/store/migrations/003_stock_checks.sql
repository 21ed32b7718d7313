-- The periodic stock check (docs/inventory.md "Periodic check"): each run of the reconciliation, kept so
-- an operator can see since when drift has been there. A check whose drift differs from the check before
-- it (by fingerprint) records an inventory.drifted event in the same transaction.
CREATE TABLE stock_checks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  checked_at timestamptz NOT NULL,
  drift_count integer NOT NULL CHECK (drift_count >= 0),
  -- Drifts per kind, only the kinds found.
  by_kind jsonb NOT NULL,
  -- The first drifts as reported (at most 100), for reading; the count is the whole.
  drift jsonb NOT NULL,
  -- Identity of the whole set of drifts (sorted drift keys, hashed); null when clean.
  fingerprint text,
  -- Whether this check told the operators (its drift was new).
  announced boolean NOT NULL
);
