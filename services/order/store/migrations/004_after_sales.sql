-- After-sales requests (售后单): refund only, return and refund, exchange, on chosen lines of a paid child order.

CREATE TABLE after_sales (
  after_sales_no text PRIMARY KEY,
  order_no text NOT NULL REFERENCES orders (order_no),
  parent_order_no text NOT NULL,
  buyer_id text NOT NULL,
  shop_id text NOT NULL,
  type text NOT NULL CHECK (type IN ('REFUND_ONLY', 'RETURN_REFUND', 'EXCHANGE')),
  status text NOT NULL,
  table_version text NOT NULL,
  lines jsonb NOT NULL,
  reason text NOT NULL,
  reject_reason text,
  -- Asked the warehouse to intercept the units (a cancel after payment, before shipment) and what it answered.
  intercept boolean NOT NULL DEFAULT false,
  intercepted boolean,
  -- The refund as planned when the request reached PENDING_REFUND (amounts per line, shipping, coins, coupons).
  refund_minor bigint NOT NULL DEFAULT 0 CHECK (refund_minor >= 0),
  refund_plan jsonb,
  refund_no text,
  refunded_at timestamptz,
  return_carrier text,
  return_tracking_no text,
  returned_at timestamptz,
  received_at timestamptz,
  restocked boolean NOT NULL DEFAULT false,
  replacement_package_ids text[] NOT NULL DEFAULT '{}',
  -- The deadline of the timer of the current state (review, buyer return, receipt), for the sweeper.
  due_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  close_reason text
);
CREATE INDEX after_sales_order ON after_sales (order_no);
CREATE INDEX after_sales_buyer ON after_sales (buyer_id, created_at DESC, after_sales_no DESC);
CREATE INDEX after_sales_shop ON after_sales (shop_id, created_at DESC, after_sales_no DESC);
CREATE INDEX after_sales_created ON after_sales (created_at DESC, after_sales_no DESC);
CREATE INDEX after_sales_due ON after_sales (due_at)
  WHERE status IN ('PENDING_REVIEW', 'AWAITING_BUYER_RETURN', 'AWAITING_RETURN_RECEIPT');
CREATE INDEX after_sales_refund_pending ON after_sales (updated_at) WHERE status = 'PENDING_REFUND';

CREATE TABLE after_sales_timeline (
  id bigserial PRIMARY KEY,
  after_sales_no text NOT NULL REFERENCES after_sales (after_sales_no),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  role text NOT NULL,
  event text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  reason text,
  request_id text,
  event_id text
);
CREATE INDEX after_sales_timeline_no ON after_sales_timeline (after_sales_no, id);

-- Coins the order's refunds gave back so far (pro rata), and the auto-receive wait of each order type.
ALTER TABLE orders ADD COLUMN coins_returned bigint NOT NULL DEFAULT 0;
ALTER TABLE order_type_config ADD COLUMN auto_receive_ms bigint NOT NULL DEFAULT 864000000;
