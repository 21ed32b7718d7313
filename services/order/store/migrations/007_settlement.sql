-- Settlement and reconciliation (DOMAIN.md 14).

-- Every refund of an order's money, as the order service heard of it (refund.succeeded): when the
-- payment service completed it, which shop's order it took money from, and per refunded line what its
-- units paid and which discount shares they reverse. order_no and shop_id are null for money no child
-- order kept (a payment that arrived after its checkout closed), refunded in full.
CREATE TABLE order_refunds (
  refund_no text PRIMARY KEY,
  payment_no text NOT NULL,
  parent_order_no text NOT NULL,
  order_no text,
  shop_id text,
  after_sales_no text,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  -- [{lineId, quantity, amountMinor, shopFundedMinor, platformFundedMinor}]; the rest of amount_minor
  -- (shipping, or a refund not tied to lines) belongs to the order.
  lines jsonb NOT NULL DEFAULT '[]',
  reason text NOT NULL,
  refunded_at timestamptz NOT NULL
);
CREATE INDEX order_refunds_shop ON order_refunds (shop_id, refunded_at);
CREATE INDEX order_refunds_at ON order_refunds (refunded_at, refund_no);

-- Sales of a period, per shop and for all shops; the orders a payment paid.
CREATE INDEX orders_shop_paid ON orders (shop_id, paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX orders_paid ON orders (paid_at, payment_no) WHERE paid_at IS NOT NULL;
CREATE INDEX orders_payment ON orders (payment_no) WHERE payment_no IS NOT NULL;
CREATE INDEX order_refunds_not_kept ON order_refunds (payment_no) WHERE order_no IS NULL;

-- The daily reconciliation's runs: one per Shanghai day, claimed by one pod, with what it found.
CREATE TABLE reconciliation_runs (
  date date PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  mismatch_count int,
  result jsonb
);
