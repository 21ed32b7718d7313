-- Order service schema: parent orders (payment units), child orders (one per shop), lines, timeline.

CREATE TABLE order_type_config (
  order_type text PRIMARY KEY,
  payment_timeout_ms bigint NOT NULL,
  auto_confirm_ms bigint NOT NULL,
  after_sales_window_ms bigint NOT NULL,
  after_sales_review_timeout_ms bigint NOT NULL,
  buyer_return_timeout_ms bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A checkout in flight: lets a sweeper compensate a saga whose process died midway.
CREATE TABLE place_order_sagas (
  parent_order_no text PRIMARY KEY,
  buyer_id text NOT NULL,
  child_order_nos text[] NOT NULL,
  status text NOT NULL CHECK (status IN ('RUNNING', 'DONE', 'COMPENSATED')),
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX place_order_sagas_running ON place_order_sagas (created_at) WHERE status = 'RUNNING';

CREATE TABLE parent_orders (
  parent_order_no text PRIMARY KEY,
  buyer_id text NOT NULL,
  order_type text NOT NULL,
  source_channel text NOT NULL,
  currency text NOT NULL DEFAULT 'CNY',
  totals jsonb NOT NULL,
  coupon_ids text[] NOT NULL DEFAULT '{}',
  coins_used bigint NOT NULL DEFAULT 0,
  member_tier text,
  price_steps jsonb NOT NULL,
  payment_deadline timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE orders (
  order_no text PRIMARY KEY,
  parent_order_no text NOT NULL REFERENCES parent_orders (parent_order_no),
  order_type text NOT NULL,
  table_version text NOT NULL,
  shop_id text NOT NULL,
  buyer_id text NOT NULL,
  status text NOT NULL,
  after_sales_status text NOT NULL DEFAULT 'NONE',
  source_channel text NOT NULL,
  address jsonb NOT NULL,
  province text NOT NULL,
  goods_minor bigint NOT NULL CHECK (goods_minor >= 0),
  item_discount_minor bigint NOT NULL CHECK (item_discount_minor >= 0),
  member_discount_minor bigint NOT NULL CHECK (member_discount_minor >= 0),
  shop_discount_minor bigint NOT NULL CHECK (shop_discount_minor >= 0),
  coupon_discount_minor bigint NOT NULL CHECK (coupon_discount_minor >= 0),
  coins_deduction_minor bigint NOT NULL CHECK (coins_deduction_minor >= 0),
  platform_discount_minor bigint NOT NULL DEFAULT 0 CHECK (platform_discount_minor >= 0),
  price_adjustment_minor bigint NOT NULL DEFAULT 0 CHECK (price_adjustment_minor >= 0),
  shipping_fee_minor bigint NOT NULL CHECK (shipping_fee_minor >= 0),
  payable_minor bigint NOT NULL CHECK (payable_minor >= 0),
  paid_minor bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
  refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  timers jsonb NOT NULL,
  invoice jsonb,
  buyer_note text,
  merchant_note text,
  reviewed boolean NOT NULL DEFAULT false,
  payment_deadline timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  paid_at timestamptz,
  shipped_at timestamptz,
  delivered_at timestamptz,
  confirmed_at timestamptz,
  completed_at timestamptz,
  closed_at timestamptz,
  close_reason text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_parent ON orders (parent_order_no);
CREATE INDEX orders_buyer_created ON orders (buyer_id, created_at DESC, order_no DESC);
CREATE INDEX orders_shop_created ON orders (shop_id, created_at DESC, order_no DESC);
CREATE INDEX orders_pending_deadline ON orders (payment_deadline) WHERE status = 'PENDING_PAYMENT';

CREATE TABLE order_lines (
  order_no text NOT NULL REFERENCES orders (order_no),
  line_id text NOT NULL,
  position int NOT NULL,
  sku_id text NOT NULL,
  title text NOT NULL,
  spec text NOT NULL,
  image_url text,
  category text NOT NULL,
  quantity int NOT NULL CHECK (quantity > 0),
  unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
  list_price_minor bigint NOT NULL CHECK (list_price_minor >= 0),
  goods_minor bigint NOT NULL CHECK (goods_minor >= 0),
  allocations jsonb NOT NULL,
  paid_minor bigint NOT NULL CHECK (paid_minor >= 0),
  unit_paid_minor bigint[] NOT NULL,
  warehouse_id text NOT NULL,
  deduction_strategy text NOT NULL,
  campaign_id text,
  refunded_minor bigint NOT NULL DEFAULT 0,
  refunded_quantity int NOT NULL DEFAULT 0,
  PRIMARY KEY (order_no, line_id)
);
CREATE INDEX order_lines_sku ON order_lines (sku_id);

CREATE TABLE order_timeline (
  id bigserial PRIMARY KEY,
  order_no text NOT NULL REFERENCES orders (order_no),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  role text NOT NULL,
  event text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  reason text,
  request_id text,
  event_id text,
  changes jsonb
);
CREATE INDEX order_timeline_order ON order_timeline (order_no, id);
