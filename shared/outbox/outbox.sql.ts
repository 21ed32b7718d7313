/**
 * Idempotent DDL for the outbox and inbox tables, applied in every service's
 * own schema on start (pass it as `sharedSql` to `migrate`).
 */
export const OUTBOX_INBOX_SQL: string[] = [
  // Events committed with the state change; the relay publishes them. `seq` orders
  // events of one transaction (their created_at is equal) so the relay publishes in commit order.
  `CREATE TABLE IF NOT EXISTS outbox (
    event_id uuid PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    channel text NOT NULL,
    payload jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text
  )`,
  // Only pending rows are indexed, so the relay's claim query stays cheap however many rows were sent.
  "CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (seq) WHERE published_at IS NULL",
  // Published rows by age, for the housekeeping that deletes them past the outbox retention.
  "CREATE INDEX IF NOT EXISTS outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL",
  // Event ids a consumer has applied; the primary key makes a redelivered event a no-op.
  `CREATE TABLE IF NOT EXISTS inbox (
    consumer text NOT NULL,
    event_id text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
  )`,
  "CREATE INDEX IF NOT EXISTS inbox_processed_at_idx ON inbox (processed_at)",
];
