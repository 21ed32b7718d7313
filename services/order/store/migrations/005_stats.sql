-- Statistics (DOMAIN.md 12): daily figures per shop and Asia/Shanghai calendar day, kept up to date from the
-- order service's own events (services/order/stats). An overview sums these rows; it never scans orders.
-- Each table is keyed shop first (a shop's overview is one index range) and indexed by day (the platform's).

-- Counters of one shop's day. `orders`: child orders created that day; `paid_orders`/`gmv_minor`: paid that day
-- and what they paid; `refund_minor`: refunds that succeeded that day; `cohort_*`: of the orders CREATED that day,
-- how many reached paid / shipped (every package handed over) / completed so far (the funnel).
CREATE TABLE stats_daily (
  shop_id text NOT NULL,
  day date NOT NULL,
  orders integer NOT NULL DEFAULT 0,
  paid_orders integer NOT NULL DEFAULT 0,
  gmv_minor bigint NOT NULL DEFAULT 0,
  refunds integer NOT NULL DEFAULT 0,
  refund_minor bigint NOT NULL DEFAULT 0,
  cohort_paid integer NOT NULL DEFAULT 0,
  cohort_shipped integer NOT NULL DEFAULT 0,
  cohort_completed integer NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, day)
);
CREATE INDEX stats_daily_day ON stats_daily (day);

-- Orders created and paid per receiver province (paid figures on the paid day).
CREATE TABLE stats_daily_province (
  shop_id text NOT NULL,
  day date NOT NULL,
  province text NOT NULL,
  orders integer NOT NULL DEFAULT 0,
  paid_orders integer NOT NULL DEFAULT 0,
  gmv_minor bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, day, province)
);
CREATE INDEX stats_daily_province_day ON stats_daily_province (day);

-- The same per source channel (APP, H5, MINI_PROGRAM, PC, OPEN_API).
CREATE TABLE stats_daily_channel (
  shop_id text NOT NULL,
  day date NOT NULL,
  source_channel text NOT NULL,
  orders integer NOT NULL DEFAULT 0,
  paid_orders integer NOT NULL DEFAULT 0,
  gmv_minor bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, day, source_channel)
);
CREATE INDEX stats_daily_channel_day ON stats_daily_channel (day);

-- Paid child orders per amount bucket of their paid amount (0: < 100 yuan ... 4: >= 1000 yuan, lower bound inclusive).
CREATE TABLE stats_daily_bucket (
  shop_id text NOT NULL,
  day date NOT NULL,
  bucket smallint NOT NULL,
  paid_orders integer NOT NULL DEFAULT 0,
  gmv_minor bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, day, bucket)
);
CREATE INDEX stats_daily_bucket_day ON stats_daily_bucket (day);

-- Units and amounts per SKU: ordered on the creation day (every order), paid on the paid day.
CREATE TABLE stats_daily_sku (
  shop_id text NOT NULL,
  day date NOT NULL,
  sku_id text NOT NULL,
  ordered_units integer NOT NULL DEFAULT 0,
  ordered_minor bigint NOT NULL DEFAULT 0,
  paid_units integer NOT NULL DEFAULT 0,
  paid_minor bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, day, sku_id)
);
CREATE INDEX stats_daily_sku_day ON stats_daily_sku (day);

-- The latest title seen per SKU, for the top-SKU lists.
CREATE TABLE stats_sku (
  sku_id text PRIMARY KEY,
  shop_id text NOT NULL,
  title text NOT NULL
);

-- Who ordered / paid with a shop on a day: distinct users over a period are a COUNT(DISTINCT) over these rows
-- (one per buyer, shop and day), never over orders.
CREATE TABLE stats_daily_user (
  shop_id text NOT NULL,
  day date NOT NULL,
  buyer_id text NOT NULL,
  ordered boolean NOT NULL DEFAULT false,
  paid boolean NOT NULL DEFAULT false,
  PRIMARY KEY (shop_id, day, buyer_id)
);
CREATE INDEX stats_daily_user_day ON stats_daily_user (day) INCLUDE (buyer_id, ordered, paid);

-- The day of a buyer's first paid order with a shop, and on the platform (shop_id '*'): new paying users.
CREATE TABLE stats_buyer_first_paid (
  shop_id text NOT NULL,
  buyer_id text NOT NULL,
  first_paid_day date NOT NULL,
  PRIMARY KEY (shop_id, buyer_id)
);
CREATE INDEX stats_buyer_first_paid_day ON stats_buyer_first_paid (shop_id, first_paid_day);

-- Order lists at a million orders (docs/statistics.md): a tab is one index range per status, newest first, for a
-- shop and for operators, apart for orders with after-sales in progress (a few, in their own small index) and the
-- rest; operators' unfiltered list reads the newest orders directly.
CREATE INDEX orders_shop_tab ON orders (shop_id, status, created_at DESC, order_no DESC)
  WHERE after_sales_status <> 'IN_PROGRESS';
CREATE INDEX orders_shop_after_sales ON orders (shop_id, status, created_at DESC, order_no DESC)
  WHERE after_sales_status = 'IN_PROGRESS';
CREATE INDEX orders_tab ON orders (status, created_at DESC, order_no DESC) WHERE after_sales_status <> 'IN_PROGRESS';
CREATE INDEX orders_after_sales ON orders (status, created_at DESC, order_no DESC)
  WHERE after_sales_status = 'IN_PROGRESS';
CREATE INDEX orders_created ON orders (created_at DESC, order_no DESC);
