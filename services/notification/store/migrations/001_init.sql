-- Notification service schema: a rule per order-flow node, what the service learned of orders from
-- their events, deliveries (the dedupe and retry record), the in-app inbox, and the sandbox
-- channels' record of what would have been sent.

-- One rule per node (DOMAIN.md 11): who hears about it, on which channels, with which template.
CREATE TABLE rules (
  node text PRIMARY KEY,
  recipients text[] NOT NULL,
  channels text[] NOT NULL,
  template text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO rules (node, recipients, channels, template) VALUES
  ('ORDER_PLACED', '{BUYER}', '{IN_APP}',
   '订单 {orderNo} 已提交，应付 ¥{amount}，请在 {deadline} 前完成支付。'),
  ('PAYMENT_SUCCEEDED', '{BUYER,MERCHANT}', '{IN_APP,APP_PUSH}',
   '订单 {orderNo} 已支付成功，实付 ¥{amount}，等待商家发货。'),
  ('PAYMENT_DUE_SOON', '{BUYER}', '{IN_APP,APP_PUSH}',
   '订单 {orderNo} 待支付 ¥{amount}，将于 {deadline} 自动关闭，请尽快付款。'),
  ('SHIPPED', '{BUYER}', '{IN_APP,APP_PUSH,SMS}',
   '您的订单 {orderNo} 已发货，{carrier} 运单号 {trackingNo}。'),
  ('SIGNED', '{BUYER}', '{IN_APP,APP_PUSH}',
   '您的订单 {orderNo} 已签收（{carrier} {trackingNo}），如有问题请及时联系商家。'),
  ('AUTO_CONFIRM_SOON', '{BUYER}', '{IN_APP,APP_PUSH}',
   '订单 {orderNo} 将于 {deadline} 自动确认收货，如未收到货请及时申请售后。'),
  ('COMPLETED', '{BUYER}', '{IN_APP,WECHAT_TEMPLATE}',
   '订单 {orderNo} 交易成功，期待您的评价。'),
  ('AFTER_SALES_CREATED', '{MERCHANT}', '{IN_APP,APP_PUSH}',
   '订单 {orderNo} 有新的售后申请 {afterSalesNo}，申请退款 ¥{amount}，原因：{reason}。请及时处理。'),
  ('AFTER_SALES_APPROVED', '{BUYER}', '{IN_APP,APP_PUSH}',
   '您的售后申请 {afterSalesNo}（订单 {orderNo}）已通过，退款金额 ¥{amount}。'),
  ('AFTER_SALES_REJECTED', '{BUYER,OPERATOR}', '{IN_APP,APP_PUSH}',
   '售后申请 {afterSalesNo}（订单 {orderNo}）被商家拒绝，原因：{reason}。如有异议可申请平台介入。'),
  ('AFTER_SALES_REFUNDED', '{BUYER}', '{IN_APP,APP_PUSH,SMS}',
   '售后单 {afterSalesNo}（订单 {orderNo}）退款 ¥{amount} 已原路退回，请注意查收。');

-- What the order events told about each child order: its buyer and shop (logistics events carry
-- neither), the deadlines the reminders count back from, and whether the order moved on. Events
-- arrive on separate channels in any order, so every column is filled in by whichever comes first.
CREATE TABLE order_facts (
  order_no text PRIMARY KEY,
  buyer_id text,
  shop_id text,
  payable_minor bigint,
  payment_deadline timestamptz,
  -- When the payment reminder is due (null: none armed); set once it fired, sent or not.
  payment_remind_at timestamptz,
  payment_reminded_at timestamptz,
  paid_at timestamptz,
  closed_at timestamptz,
  auto_confirm_at timestamptz,
  auto_confirm_remind_at timestamptz,
  auto_confirm_reminded_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The sweeper's look for reminders a lost timer missed.
CREATE INDEX order_facts_payment_reminder_due ON order_facts (payment_remind_at)
  WHERE payment_reminded_at IS NULL AND paid_at IS NULL AND closed_at IS NULL;
CREATE INDEX order_facts_auto_confirm_reminder_due ON order_facts (auto_confirm_remind_at)
  WHERE auto_confirm_reminded_at IS NULL AND completed_at IS NULL;

-- One row per (event, recipient, channel): the unique key is the at-most-once guarantee under
-- redelivery. IN_APP rows are SENT on insert (the inbox message commits with them); the others
-- go PENDING -> SENDING (claimed) -> SENT, or FAILED (retried with backoff) -> ... -> DEAD.
CREATE TABLE deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id text NOT NULL,
  node text NOT NULL,
  recipient text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('IN_APP', 'APP_PUSH', 'SMS', 'WECHAT_TEMPLATE')),
  title text NOT NULL,
  text text NOT NULL,
  order_no text,
  status text NOT NULL CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED', 'DEAD')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_at timestamptz,
  last_error text,
  sent_at timestamptz,
  dead_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, recipient, channel)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('PENDING', 'FAILED');
CREATE INDEX deliveries_sending ON deliveries (claimed_at) WHERE status = 'SENDING';
CREATE INDEX deliveries_dead ON deliveries (dead_at DESC, id DESC) WHERE status = 'DEAD';

-- The in-app inbox: one message per IN_APP delivery; a recipient is a buyer id, `shop:<shopId>`
-- (every account of a shop shares its inbox) or `operators`.
CREATE TABLE messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  delivery_id uuid NOT NULL UNIQUE REFERENCES deliveries (id),
  recipient text NOT NULL,
  node text NOT NULL,
  title text NOT NULL,
  text text NOT NULL,
  order_no text,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  read_at timestamptz
);
CREATE INDEX messages_by_recipient ON messages (recipient, created_at DESC, id DESC);
CREATE INDEX messages_unread ON messages (recipient, created_at DESC, id DESC) WHERE read_at IS NULL;

-- What the sandbox adapters (APP_PUSH, SMS, WECHAT_TEMPLATE) would have sent. Keyed by delivery,
-- like a real provider's client message id: a resend after a lost acknowledgement records nothing new.
CREATE TABLE sandbox_outbox (
  id bigserial PRIMARY KEY,
  delivery_id uuid NOT NULL UNIQUE,
  channel text NOT NULL,
  recipient text NOT NULL,
  text text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sandbox_outbox_by_recipient ON sandbox_outbox (recipient, sent_at);
