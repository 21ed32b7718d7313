-- Ship-by deadline (DOMAIN.md 10): a paid order's shop must hand everything over in time, or it is flagged overdue.
ALTER TABLE orders ADD COLUMN ship_by timestamptz, ADD COLUMN ship_overdue_at timestamptz;
ALTER TABLE order_type_config ADD COLUMN ship_within_ms bigint NOT NULL DEFAULT 172800000;

-- The sweeper's work list: paid orders still to ship past their deadline, not yet flagged.
CREATE INDEX orders_ship_by_due ON orders (ship_by)
  WHERE status IN ('AWAITING_SHIPMENT', 'PARTIALLY_SHIPPED') AND ship_overdue_at IS NULL;
-- Overdue orders in lists and statistics, per shop and platform-wide.
CREATE INDEX orders_shop_ship_overdue ON orders (shop_id, ship_overdue_at) WHERE ship_overdue_at IS NOT NULL;
CREATE INDEX orders_ship_overdue ON orders (ship_overdue_at) WHERE ship_overdue_at IS NOT NULL;
