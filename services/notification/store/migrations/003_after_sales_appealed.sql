-- AFTER_SALES_APPEALED (docs/after-sales.md "Appeal"): the buyer appealed the shop's rejection to the platform
-- (`aftersales.appealed`, the appeal's reason); the operators review it and the shop learns it no longer decides.
-- One template for both, so it reads right to either.
INSERT INTO rules (node, recipients, channels, template) VALUES
  ('AFTER_SALES_APPEALED', '{MERCHANT,OPERATOR}', '{IN_APP,APP_PUSH}',
   '售后申请 {afterSalesNo}（订单 {orderNo}）被拒绝后，买家已申请平台介入，申诉理由：{reason}。现由平台审核处理。')
ON CONFLICT (node) DO NOTHING;
