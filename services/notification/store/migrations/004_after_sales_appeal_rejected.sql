-- AFTER_SALES_APPEAL_REJECTED (docs/after-sales.md "Appeal"): the platform rejected an appealed request, which
-- closes it (`aftersales.rejected` with status CLOSED). Unlike AFTER_SALES_REJECTED it offers no further appeal.
INSERT INTO rules (node, recipients, channels, template) VALUES
  ('AFTER_SALES_APPEAL_REJECTED', '{BUYER,MERCHANT}', '{IN_APP,APP_PUSH}',
   '售后申请 {afterSalesNo}（订单 {orderNo}）经平台审核维持拒绝，原因：{reason}。售后单已关闭。')
ON CONFLICT (node) DO NOTHING;
