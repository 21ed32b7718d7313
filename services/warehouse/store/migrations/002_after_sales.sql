-- After-sales at the warehouse: returns received back into stock (退货入库) and the replacement
-- packages of exchanges (换货出库).

-- One row per return received, written after inventory.restock answered: a receipt means the units
-- are on hand again. A retry with the same id answers this row (the first receipt's time).
CREATE TABLE return_receipts (
  return_id text PRIMARY KEY,
  order_no text NOT NULL,
  -- The lines as the caller named them: lineId, skuId, warehouseId, quantity.
  lines jsonb NOT NULL,
  -- What the inventory put back on hand (its answer, summed per SKU and warehouse).
  restocked jsonb NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX return_receipts_by_order ON return_receipts (order_no);

-- One row per exchange's replacement: the receiver it ships to (the one given, never the order's
-- newest) and its lines with the warehouse the units are sold from and the SKU figures the split used.
CREATE TABLE replacements (
  after_sales_no text PRIMARY KEY,
  order_no text NOT NULL REFERENCES fulfilments (order_no),
  buyer_id text NOT NULL,
  address jsonb NOT NULL,
  lines jsonb NOT NULL,
  package_ids text[] NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX replacements_by_order ON replacements (order_no);

-- Set on an exchange's replacement packages: they ship under the exchange's own reservation, do not
-- count toward the order's allShipped and are never intercepted.
ALTER TABLE packages ADD COLUMN after_sales_no text REFERENCES replacements (after_sales_no);
