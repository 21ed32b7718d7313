-- Closing CLOSED attempts at their provider too (like WeChat Pay's closeorder or Alipay's trade.close),
-- and the age index the notification purge deletes by.

-- A close owed to the provider is recorded with the commit that closed the attempt (next_close_at) and
-- requested right after it; the query sweep retries a failed one with backoff. The provider's answer:
-- CLOSED (closed_at_provider: nobody can pay it any more) or ALREADY_PAID (the payer was first; the
-- result arrives as a notification). close_error keeps the last failure for operators.
ALTER TABLE payments
  ADD COLUMN next_close_at timestamptz,
  ADD COLUMN close_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN closed_at_provider timestamptz,
  ADD COLUMN close_result text CHECK (close_result IN ('CLOSED', 'ALREADY_PAID')),
  ADD COLUMN close_error text;
CREATE INDEX payments_close_due ON payments (next_close_at) WHERE next_close_at IS NOT NULL;

-- Attempts closed before this migration within the query window are owed their close too.
UPDATE payments SET next_close_at = now()
WHERE status = 'CLOSED' AND closed_at > now() - interval '24 hours';

-- The sandbox provider's side: a closed payment takes no payer result any more.
ALTER TABLE sandbox_payments
  ADD COLUMN closed_at timestamptz,
  DROP CONSTRAINT sandbox_payments_status_check,
  ADD CONSTRAINT sandbox_payments_status_check CHECK (status IN ('PENDING', 'SUCCESS', 'FAIL', 'CLOSED'));

CREATE INDEX provider_notifications_received ON provider_notifications (received_at);
