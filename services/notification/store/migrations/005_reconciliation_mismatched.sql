-- RECONCILIATION_MISMATCHED (docs/settlement.md "Daily reconciliation"): the day's reconciliation listed
-- mismatches. It concerns no order, so it tells only the operators' shared inbox.
INSERT INTO rules (node, recipients, channels, template) VALUES
  ('RECONCILIATION_MISMATCHED', '{OPERATOR}', '{IN_APP}',
   '{date} 的对账发现 {count} 处差异：{kinds}。请在对账页面逐条核对。')
ON CONFLICT (node) DO NOTHING;
