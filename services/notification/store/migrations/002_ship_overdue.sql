-- SHIP_OVERDUE (DOMAIN.md 10): the ship-by deadline after payment passed with units not handed over
-- (`order.ship-overdue`); the shop and the operators are told. One template for both, so it reads
-- right to either.
INSERT INTO rules (node, recipients, channels, template) VALUES
  ('SHIP_OVERDUE', '{MERCHANT,OPERATOR}', '{IN_APP,APP_PUSH}',
   '订单 {orderNo} 应于 {deadline} 前发货，现已超时未发货，请尽快处理。')
ON CONFLICT (node) DO NOTHING;
