-- A refund the provider refused (refund.failed) is asked again under a new idempotency key: by itself with
-- a backoff (refund_retry_at), then by an operator.
ALTER TABLE after_sales ADD COLUMN refund_attempts int NOT NULL DEFAULT 0;
ALTER TABLE after_sales ADD COLUMN refund_failure text;
ALTER TABLE after_sales ADD COLUMN refund_retry_at timestamptz;
