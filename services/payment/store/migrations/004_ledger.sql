-- Reconciliation (DOMAIN.md 14) reads a day's payments and refunds in (time, number) order.
CREATE INDEX payments_paid ON payments (paid_at, payment_no) WHERE paid_at IS NOT NULL;
CREATE INDEX refunds_completed ON refunds (completed_at, refund_no) WHERE completed_at IS NOT NULL;
