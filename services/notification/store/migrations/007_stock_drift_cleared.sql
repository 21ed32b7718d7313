-- STOCK_DRIFT_CLEARED (docs/inventory.md "Periodic check"): a stock check found Redis counters and the
-- ledger agreeing again after a check that had found drift. Like STOCK_DRIFTED, only the operators.
INSERT INTO rules (node, recipients, channels, template) VALUES
  ('STOCK_DRIFT_CLEARED', '{OPERATOR}', '{IN_APP}',
   '库存核对 #{checkId}（{date}）：Redis 计数与台账已一致，核对 #{previousCheckId} 发现的不一致已消除。')
ON CONFLICT (node) DO NOTHING;
