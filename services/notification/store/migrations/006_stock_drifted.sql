-- STOCK_DRIFTED (docs/inventory.md "Periodic check"): a stock check found Redis counters and the ledger
-- disagreeing in a way the check before it had not. It concerns no order, so it tells only the operators.
INSERT INTO rules (node, recipients, channels, template) VALUES
  ('STOCK_DRIFTED', '{OPERATOR}', '{IN_APP}',
   '库存核对 #{checkId}（{date}）发现 {count} 处 Redis 计数与台账不一致：{kinds}。请在库存核对页面查看，核实后重建库存计数。')
ON CONFLICT (node) DO NOTHING;
