-- Warehouses, the SKU master, stock of record per SKU and warehouse, and the movement ledger.

CREATE TABLE warehouses (
  warehouse_id text PRIMARY KEY,
  name text NOT NULL,
  provinces text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE skus (
  sku_id text PRIMARY KEY,
  shop_id text NOT NULL,
  title text NOT NULL,
  spec text NOT NULL DEFAULT '',
  price_minor bigint NOT NULL CHECK (price_minor >= 0),
  image_url text,
  category text NOT NULL,
  storage_class text NOT NULL,
  weight_grams integer NOT NULL CHECK (weight_grams >= 0),
  volume_cm3 integer NOT NULL CHECK (volume_cm3 >= 0),
  declared_value_minor bigint NOT NULL CHECK (declared_value_minor >= 0),
  deduction_strategy text NOT NULL CHECK (deduction_strategy IN ('RESERVE_ON_ORDER', 'DEDUCT_ON_PAYMENT')),
  purchase_limit_per_user integer CHECK (purchase_limit_per_user > 0),
  on_sale boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX skus_shop_idx ON skus (shop_id);

-- The stock of record: changed only by the ledger writer, in the same transaction as its movements.
CREATE TABLE stock (
  sku_id text NOT NULL REFERENCES skus (sku_id),
  warehouse_id text NOT NULL REFERENCES warehouses (warehouse_id),
  on_hand bigint NOT NULL DEFAULT 0,
  reserved bigint NOT NULL DEFAULT 0,
  safety_stock bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku_id, warehouse_id)
);

-- Every stock movement, as the Lua scripts appended it to the Redis stream; movement_id makes writing it idempotent.
CREATE TABLE movements (
  seq bigserial UNIQUE,
  movement_id text PRIMARY KEY,
  stream_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('RESERVE', 'CHECK', 'RELEASE', 'DEDUCT', 'ADJUST')),
  reservation_id text,
  sku_id text NOT NULL,
  warehouse_id text NOT NULL,
  buyer_id text,
  line_id text,
  strategy text,
  province text,
  quantity bigint NOT NULL,
  on_hand_delta bigint NOT NULL DEFAULT 0,
  reserved_delta bigint NOT NULL DEFAULT 0,
  safety_delta bigint NOT NULL DEFAULT 0,
  counts_limit boolean NOT NULL DEFAULT false,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movements_reservation_idx ON movements (reservation_id) WHERE reservation_id IS NOT NULL;
CREATE INDEX movements_limit_idx ON movements (buyer_id, sku_id) WHERE counts_limit;
CREATE INDEX movements_sku_idx ON movements (sku_id, warehouse_id);
