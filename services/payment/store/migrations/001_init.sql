-- Payment service schema: checkouts (the payment unit), payment attempts, refunds, the provider
-- notification inbox, and the sandbox providers' own records (the third party's side).

-- One row per parent order; locking it serialises every attempt of one checkout.
CREATE TABLE checkouts (
  parent_order_no text PRIMARY KEY,
  buyer_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per payment attempt (a method chosen by the buyer); amounts in fen.
CREATE TABLE payments (
  payment_no text PRIMARY KEY,
  parent_order_no text NOT NULL REFERENCES checkouts (parent_order_no),
  buyer_id text NOT NULL,
  method text NOT NULL CHECK (method IN ('WECHAT', 'ALIPAY', 'UNIONPAY')),
  provider_payment_no text NOT NULL,
  pay_url text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'CLOSED')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL DEFAULT 'CNY',
  paid_minor bigint NOT NULL DEFAULT 0,
  -- Every refund not failed (pending included): what the "never more than paid" rule counts.
  refunded_minor bigint NOT NULL DEFAULT 0,
  duplicate boolean NOT NULL DEFAULT false,
  failure_reason text,
  next_query_at timestamptz,
  query_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  paid_at timestamptz,
  closed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (method, provider_payment_no),
  CHECK (paid_minor IN (0, amount_minor)),
  CHECK (refunded_minor >= 0 AND refunded_minor <= paid_minor)
);
-- At most one open attempt, and at most one attempt that pays the checkout.
CREATE UNIQUE INDEX payments_one_pending ON payments (parent_order_no) WHERE status = 'PENDING';
CREATE UNIQUE INDEX payments_one_paid ON payments (parent_order_no) WHERE status = 'SUCCEEDED' AND NOT duplicate;
CREATE INDEX payments_by_parent ON payments (parent_order_no, created_at);
CREATE INDEX payments_query_due ON payments (next_query_at) WHERE next_query_at IS NOT NULL;

CREATE TABLE refunds (
  refund_no text PRIMARY KEY,
  payment_no text NOT NULL REFERENCES payments (payment_no),
  order_no text,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  reason text NOT NULL,
  -- REQUESTED by the order service, or DUPLICATE_PAYMENT: money on an attempt after the checkout was paid.
  cause text NOT NULL DEFAULT 'REQUESTED' CHECK (cause IN ('REQUESTED', 'DUPLICATE_PAYMENT')),
  idempotency_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  provider_refund_no text,
  failure_reason text,
  next_query_at timestamptz,
  query_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  UNIQUE (payment_no, idempotency_key)
);
CREATE INDEX refunds_query_due ON refunds (next_query_at) WHERE next_query_at IS NOT NULL;

-- The inbox of provider notifications (callbacks and query answers), keyed by the provider's id.
CREATE TABLE provider_notifications (
  provider text NOT NULL,
  notification_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('PAYMENT', 'REFUND')),
  subject_no text NOT NULL,
  result text NOT NULL CHECK (result IN ('SUCCESS', 'FAIL')),
  amount_minor bigint NOT NULL,
  source text NOT NULL CHECK (source IN ('CALLBACK', 'QUERY')),
  raw_body text NOT NULL,
  outcome text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, notification_id)
);
CREATE INDEX provider_notifications_subject ON provider_notifications (subject_no);

-- The sandbox providers' records: what a real provider would keep on its side.
CREATE TABLE sandbox_payments (
  provider_payment_no text PRIMARY KEY,
  method text NOT NULL,
  payment_no text NOT NULL,
  amount_minor bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'SUCCESS', 'FAIL')),
  succeeded_at timestamptz,
  failed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (method, payment_no)
);

CREATE TABLE sandbox_refunds (
  provider_refund_no text PRIMARY KEY,
  method text NOT NULL,
  refund_no text NOT NULL,
  provider_payment_no text NOT NULL REFERENCES sandbox_payments (provider_payment_no),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  status text NOT NULL CHECK (status IN ('SUCCESS', 'FAIL')),
  completed_at timestamptz NOT NULL,
  UNIQUE (method, refund_no)
);
