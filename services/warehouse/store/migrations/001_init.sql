-- Warehouse service schema: fulfilments of paid orders, their packages and package lines, the
-- receiver's newest address per order, and interceptions.

-- One row per paid child order; every change to the order's packages locks it first, so two
-- packages of one order shipping (or an interception) at once are decided one after the other.
CREATE TABLE fulfilments (
  order_no text PRIMARY KEY,
  parent_order_no text NOT NULL,
  shop_id text NOT NULL,
  buyer_id text NOT NULL,
  payment_no text NOT NULL,
  paid_at timestamptz NOT NULL,
  -- The receiver at payment; later changes are in order_addresses.
  address jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The order's lines as bought, with the SKU figures the split used (weights feed the waybill).
CREATE TABLE fulfilment_lines (
  order_no text NOT NULL REFERENCES fulfilments (order_no),
  line_id text NOT NULL,
  ordinal integer NOT NULL,
  sku_id text NOT NULL,
  warehouse_id text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  storage_class text NOT NULL,
  unit_weight_grams integer NOT NULL CHECK (unit_weight_grams >= 0),
  unit_volume_cm3 integer NOT NULL CHECK (unit_volume_cm3 >= 0),
  unit_declared_value_minor bigint NOT NULL CHECK (unit_declared_value_minor >= 0),
  PRIMARY KEY (order_no, line_id)
);

-- Packages and their warehouse task; ids are <orderNo>-<position>.
CREATE TABLE packages (
  package_id text PRIMARY KEY,
  order_no text NOT NULL REFERENCES fulfilments (order_no),
  position integer NOT NULL CHECK (position > 0),
  warehouse_id text NOT NULL,
  status text NOT NULL
    CHECK (status IN ('PENDING', 'WAYBILL_PRINTED', 'PICKED', 'PACKED', 'HANDED_OVER', 'INTERCEPTED')),
  -- The last split rule that cut the package off (WAREHOUSE, STORAGE_CLASS, HIGH_VALUE, WEIGHT, VOLUME).
  split_reason text,
  method text CHECK (method IN ('ONLINE_WAYBILL', 'MANUAL', 'NO_LOGISTICS')),
  carrier text,
  tracking_no text,
  waybill_printed_at timestamptz,
  picked_at timestamptz,
  packed_at timestamptz,
  handed_over_at timestamptz,
  intercepted_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (order_no, position),
  CHECK ((status = 'HANDED_OVER') = (handed_over_at IS NOT NULL)),
  CHECK ((status = 'INTERCEPTED') = (intercepted_at IS NOT NULL)),
  CHECK (status <> 'HANDED_OVER' OR method IS NOT NULL)
);

-- Units of an order line in a package; quantity falls below planned when units are intercepted.
CREATE TABLE package_lines (
  package_id text NOT NULL REFERENCES packages (package_id),
  line_id text NOT NULL,
  -- Lines keep the order's line order within the package.
  ordinal integer NOT NULL,
  sku_id text NOT NULL,
  quantity integer NOT NULL CHECK (quantity >= 0),
  planned_quantity integer NOT NULL CHECK (planned_quantity > 0),
  PRIMARY KEY (package_id, line_id),
  CHECK (quantity <= planned_quantity)
);

-- The receiver waybills use: the newest of order.paid and order.address-changed by the time the
-- order service says they happened (either may arrive first).
CREATE TABLE order_addresses (
  order_no text PRIMARY KEY,
  address jsonb NOT NULL,
  changed_at timestamptz NOT NULL,
  event_id text NOT NULL
);

-- One row per interception; a retry with the same id answers the stored result.
CREATE TABLE intercepts (
  intercept_id text PRIMARY KEY,
  order_no text NOT NULL REFERENCES fulfilments (order_no),
  reason text NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX intercepts_by_order ON intercepts (order_no);
