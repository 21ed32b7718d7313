-- Refunds the provider refused (refund.failed) are asked again as new refunds, under new idempotency keys.

-- An after-sales request's: by itself with a backoff (refund_retry_at), then by an operator.
ALTER TABLE after_sales ADD COLUMN IF NOT EXISTS refund_attempts int NOT NULL DEFAULT 0;
ALTER TABLE after_sales ADD COLUMN IF NOT EXISTS refund_failure text;
ALTER TABLE after_sales ADD COLUMN IF NOT EXISTS refund_retry_at timestamptz;

-- Refunds the orders asked for outside after-sales (a child closed sold out after payment, money no child
-- order kept) that the provider refused: each refusal is asked again as a new refund after a backoff.
CREATE TABLE refund_retries (
  refused_refund_no text PRIMARY KEY,
  parent_order_no text NOT NULL,
  order_no text,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  reason text NOT NULL,
  -- The refusals of this purpose (checkout, child order, reason) so far, this one included.
  refusals int NOT NULL,
  -- When to ask again; null once the automatic retries are used up (an operator's then).
  due_at timestamptz,
  -- The refund that asked again.
  retried_as text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refund_retries_due ON refund_retries (due_at) WHERE retried_as IS NULL AND due_at IS NOT NULL;
