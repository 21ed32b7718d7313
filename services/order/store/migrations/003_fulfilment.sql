-- Fulfilment on the order side: shipped packages, the auto-confirm and after-sales window deadlines, reviews.

ALTER TABLE orders
  ADD COLUMN auto_confirm_at timestamptz,
  ADD COLUMN finish_at timestamptz,
  ADD COLUMN review jsonb;

-- The sweepers' work lists: shipped orders past auto-confirm, completed orders past their after-sales window.
CREATE INDEX orders_auto_confirm_due ON orders (auto_confirm_at) WHERE status = 'SHIPPED';
CREATE INDEX orders_finish_due ON orders (finish_at) WHERE status = 'COMPLETED';

-- Packages the warehouse reported handed over, once each.
CREATE TABLE order_shipments (
  order_no text NOT NULL REFERENCES orders (order_no),
  package_id text NOT NULL,
  method text NOT NULL,
  carrier text,
  tracking_no text,
  shipped_at timestamptz NOT NULL,
  PRIMARY KEY (order_no, package_id)
);
