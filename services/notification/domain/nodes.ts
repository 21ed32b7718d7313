/**
 * The order-flow nodes that notify someone (DOMAIN.md 11), who can be told and how,
 * and which placeholders each node's template may use.
 */

export const RECIPIENTS = ["BUYER", "MERCHANT", "OPERATOR"] as const;
export type Recipient = (typeof RECIPIENTS)[number];

export const CHANNELS = ["IN_APP", "APP_PUSH", "SMS", "WECHAT_TEMPLATE"] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels sent through an adapter after commit; IN_APP is written in the consuming transaction. */
export type ExternalChannel = Exclude<Channel, "IN_APP">;

export const PLACEHOLDERS = [
  "orderNo",
  "amount",
  "carrier",
  "trackingNo",
  "deadline",
  "afterSalesNo",
  "reason",
  "date",
  "count",
  "kinds",
  "checkId",
  "previousCheckId",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The values an event offers its template, already formatted for reading. */
export type PlaceholderValues = Partial<Record<Placeholder, string>>;

/** One node: its title in the inbox, the placeholders its events fill in, whom it can tell. */
export interface NodeDefinition {
  title: string;
  placeholders: readonly Placeholder[];
  /** Only these (a node that concerns no order has no buyer or shop to tell); default every recipient. */
  recipients?: readonly Recipient[];
}

export const NODES = {
  ORDER_PLACED: { title: "订单已提交", placeholders: ["orderNo", "amount", "deadline"] },
  PAYMENT_SUCCEEDED: { title: "订单已支付", placeholders: ["orderNo", "amount"] },
  PAYMENT_DUE_SOON: { title: "订单即将超时关闭", placeholders: ["orderNo", "amount", "deadline"] },
  SHIP_OVERDUE: { title: "订单超时未发货", placeholders: ["orderNo", "deadline"] },
  SHIPPED: { title: "订单已发货", placeholders: ["orderNo", "carrier", "trackingNo"] },
  SIGNED: { title: "包裹已签收", placeholders: ["orderNo", "carrier", "trackingNo"] },
  AUTO_CONFIRM_SOON: { title: "即将自动确认收货", placeholders: ["orderNo", "deadline"] },
  COMPLETED: { title: "交易成功，邀您评价", placeholders: ["orderNo"] },
  AFTER_SALES_CREATED: {
    title: "新的售后申请",
    placeholders: ["orderNo", "afterSalesNo", "amount", "reason"],
  },
  AFTER_SALES_APPROVED: { title: "售后申请已同意", placeholders: ["orderNo", "afterSalesNo", "amount"] },
  AFTER_SALES_REJECTED: { title: "售后申请被拒绝", placeholders: ["orderNo", "afterSalesNo", "reason"] },
  AFTER_SALES_APPEALED: { title: "售后申诉待平台审核", placeholders: ["orderNo", "afterSalesNo", "reason"] },
  AFTER_SALES_APPEAL_REJECTED: {
    title: "平台审核维持拒绝",
    placeholders: ["orderNo", "afterSalesNo", "reason"],
  },
  AFTER_SALES_REFUNDED: { title: "退款已到账", placeholders: ["orderNo", "afterSalesNo", "amount"] },
  RECONCILIATION_MISMATCHED: {
    title: "对账发现差异",
    placeholders: ["date", "count", "kinds"],
    recipients: ["OPERATOR"],
  },
  STOCK_DRIFTED: {
    title: "库存计数与台账不一致",
    placeholders: ["checkId", "date", "count", "kinds"],
    recipients: ["OPERATOR"],
  },
  STOCK_DRIFT_CLEARED: {
    title: "库存计数与台账已一致",
    placeholders: ["checkId", "date", "previousCheckId"],
    recipients: ["OPERATOR"],
  },
} as const satisfies Record<string, NodeDefinition>;

export type NodeCode = keyof typeof NODES;
export const NODE_CODES = Object.keys(NODES) as NodeCode[];

export function isNodeCode(value: string): value is NodeCode {
  return Object.hasOwn(NODES, value);
}

/** Whom a node can tell. */
export function recipientsOf(node: NodeCode): readonly Recipient[] {
  const definition: NodeDefinition = NODES[node];
  return definition.recipients ?? RECIPIENTS;
}

/** A node's rule: who hears about it, on which channels, with which text. */
export interface Rule {
  node: NodeCode;
  recipients: Recipient[];
  channels: Channel[];
  template: string;
  enabled: boolean;
}
