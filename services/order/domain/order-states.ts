import type { GuardMap, StateTable } from "../../../shared/state-machine/engine";

/** Standard order states (DOMAIN.md 6.1). */
export const STANDARD_ORDER_STATES = [
  "PENDING_PAYMENT",
  "AWAITING_SHIPMENT",
  "PARTIALLY_SHIPPED",
  "SHIPPED",
  "COMPLETED",
  "FINISHED",
  "CLOSED",
] as const;
export type StandardOrderState = (typeof STANDARD_ORDER_STATES)[number];

/** Standard order events (DOMAIN.md 6.1). */
export const STANDARD_ORDER_EVENTS = [
  "pay.succeeded",
  "cancel",
  "payment.timeout",
  "price.changed",
  "address.changed",
  "package.shipped",
  "receipt.confirmed",
  "autoconfirm.timeout",
  "aftersales.window.closed",
  "refund.completed",
  "package.intercepted",
] as const;
export type StandardOrderEvent = (typeof STANDARD_ORDER_EVENTS)[number];

export type StandardOrderGuard = "stockAvailable" | "lastPackageShipped";
export type StandardOrderEffect =
  | "cancelTimeoutJob"
  | "deductStock"
  | "requestFulfilment"
  | "refundPayment"
  | "refundLatePayment"
  | "releaseStock"
  | "restoreStock"
  | "returnCoupons"
  | "returnCoins"
  | "reallocateDiscounts"
  | "updateFulfilmentAddress"
  | "scheduleAutoConfirm"
  | "cancelAutoConfirm"
  | "scheduleAfterSalesWindow"
  | "requestReview";

/** What the caller found out before applying: stock for deduct-on-payment SKUs, packages still unshipped. */
export interface StandardOrderFacts {
  readonly stockAvailable?: boolean;
  readonly allPackagesShipped?: boolean;
}

const releaseHolds = ["releaseStock", "returnCoupons", "returnCoins"] as const;

/** The standard order's table; bump `version` on any change: each order keeps the version it began with. */
export const STANDARD_ORDER_TABLE: StateTable<
  StandardOrderState,
  StandardOrderEvent,
  StandardOrderGuard,
  StandardOrderEffect
> = {
  name: "STANDARD",
  // @2 added package.intercepted: rows only added, so orders of @1 run on it unchanged.
  version: "STANDARD@2",
  initial: "PENDING_PAYMENT",
  states: STANDARD_ORDER_STATES,
  events: STANDARD_ORDER_EVENTS,
  transitions: {
    PENDING_PAYMENT: {
      // Out of stock at payment closes the order and refunds instead of shipping (reason OUT_OF_STOCK).
      "pay.succeeded": [
        {
          to: "AWAITING_SHIPMENT",
          guard: "stockAvailable",
          effects: ["cancelTimeoutJob", "deductStock", "requestFulfilment"],
        },
        { to: "CLOSED", effects: ["cancelTimeoutJob", "refundPayment", ...releaseHolds] },
      ],
      cancel: { to: "CLOSED", effects: ["cancelTimeoutJob", ...releaseHolds] },
      "payment.timeout": { to: "CLOSED", effects: releaseHolds },
      "price.changed": { to: "PENDING_PAYMENT", effects: ["reallocateDiscounts"] },
      "address.changed": { to: "PENDING_PAYMENT" },
    },
    AWAITING_SHIPMENT: {
      "address.changed": { to: "AWAITING_SHIPMENT", effects: ["updateFulfilmentAddress"] },
      "package.shipped": [
        { to: "SHIPPED", guard: "lastPackageShipped", effects: ["scheduleAutoConfirm"] },
        { to: "PARTIALLY_SHIPPED" },
      ],
      "refund.completed": { to: "CLOSED", effects: ["restoreStock", "returnCoupons"] },
    },
    PARTIALLY_SHIPPED: {
      "package.shipped": [
        { to: "SHIPPED", guard: "lastPackageShipped", effects: ["scheduleAutoConfirm"] },
        { to: "PARTIALLY_SHIPPED" },
      ],
      // The units not yet shipped were cancelled and intercepted: what did ship is the whole order now.
      "package.intercepted": [
        { to: "SHIPPED", guard: "lastPackageShipped", effects: ["scheduleAutoConfirm"] },
        { to: "PARTIALLY_SHIPPED" },
      ],
    },
    SHIPPED: {
      "receipt.confirmed": {
        to: "COMPLETED",
        effects: ["cancelAutoConfirm", "scheduleAfterSalesWindow", "requestReview"],
      },
      "autoconfirm.timeout": { to: "COMPLETED", effects: ["scheduleAfterSalesWindow", "requestReview"] },
    },
    COMPLETED: {
      "aftersales.window.closed": { to: "FINISHED" },
    },
    FINISHED: {},
    // Terminal, yet a payment can still land after timeout/cancel: this self-row refunds it and records it.
    CLOSED: {
      "pay.succeeded": { to: "CLOSED", effects: ["refundLatePayment"] },
    },
  },
};

/** Guards of the standard table; a missing fact throws rather than silently picking a branch. */
export const STANDARD_ORDER_GUARDS: GuardMap<StandardOrderGuard, StandardOrderFacts> = {
  stockAvailable: (facts) => requireFact(facts, "stockAvailable"),
  lastPackageShipped: (facts) => requireFact(facts, "allPackagesShipped"),
};

/** After-sales states (DOMAIN.md 6.3). */
export const AFTER_SALES_STATES = [
  "PENDING_REVIEW",
  "REJECTED",
  "AWAITING_BUYER_RETURN",
  "AWAITING_RETURN_RECEIPT",
  "PENDING_REFUND",
  "AWAITING_EXCHANGE_SHIPMENT",
  "SUCCEEDED",
  "CLOSED",
] as const;
export type AfterSalesState = (typeof AFTER_SALES_STATES)[number];

/** After-sales events: merchant/platform decisions, buyer actions, warehouse and payment facts, timers. */
export const AFTER_SALES_EVENTS = [
  "approve",
  "review.timeout",
  "reject",
  "appeal",
  "appeal.timeout",
  "withdraw",
  "buyer.shipped",
  "return.timeout",
  "return.received",
  "receive.timeout",
  "refund.succeeded",
  "refund.failed",
  "refund.retry",
  "replacement.signed",
] as const;
export type AfterSalesEvent = (typeof AFTER_SALES_EVENTS)[number];

export type AfterSalesType = "REFUND_ONLY" | "RETURN_REFUND" | "EXCHANGE";
export type AfterSalesGuard =
  | "isRefundOnly"
  | "needsReturn"
  | "isReturnRefund"
  | "isExchange"
  | "isRefundOnlyBeforeAppeal"
  | "needsReturnBeforeAppeal"
  | "wasAppealed"
  | "withinAppealWindow"
  | "refundRefused";
export type AfterSalesEffect =
  | "cancelReviewTimeout"
  | "scheduleAppealTimeout"
  | "cancelAppealTimeout"
  | "scheduleReturnTimeout"
  | "cancelReturnTimeout"
  | "scheduleReceiveTimeout"
  | "cancelReceiveTimeout"
  | "restockReturn"
  | "requestRefund"
  | "requestExchangeShipment"
  | "updateOrderAfterSalesStatus";

/** The request's type decides where approval and receipt lead; its appeal, who reviews and whether it may. */
export interface AfterSalesFacts {
  readonly type?: AfterSalesType;
  /** The buyer appealed a rejection: the platform reviews now, once. */
  readonly appealed?: boolean;
  /** A rejected request's appeal deadline has not passed. */
  readonly appealWindowOpen?: boolean;
  /** The provider refused the request's last refund and no other is asked for yet. */
  readonly refundRefused?: boolean;
}

const closeRequest = "updateOrderAfterSalesStatus";

/**
 * The after-sales order's table; review.timeout and receive.timeout are the automatic approve/receive. A rejected
 * request may be appealed once, within its window: the platform then reviews it without a timer, and its rejection
 * is final (CLOSED).
 */
export const AFTER_SALES_TABLE: StateTable<
  AfterSalesState,
  AfterSalesEvent,
  AfterSalesGuard,
  AfterSalesEffect
> = {
  name: "AFTER_SALES",
  // @2 guarded appeals (window, once, platform review without auto-approval): for requests of @1, which were never
  // appealed, every row behaves as before, so they run on it unchanged. @3 adds the refused refund and its retry,
  // rows of PENDING_REFUND that no earlier request took: requests of @1 and @2 run on it unchanged too.
  version: "AFTER_SALES@3",
  initial: "PENDING_REVIEW",
  states: AFTER_SALES_STATES,
  events: AFTER_SALES_EVENTS,
  transitions: {
    PENDING_REVIEW: {
      approve: [
        { to: "PENDING_REFUND", guard: "isRefundOnly", effects: ["cancelReviewTimeout", "requestRefund"] },
        {
          to: "AWAITING_BUYER_RETURN",
          guard: "needsReturn",
          effects: ["cancelReviewTimeout", "scheduleReturnTimeout"],
        },
      ],
      // Only the shop's silence approves: an appealed request waits for the platform's decision.
      "review.timeout": [
        { to: "PENDING_REFUND", guard: "isRefundOnlyBeforeAppeal", effects: ["requestRefund"] },
        { to: "AWAITING_BUYER_RETURN", guard: "needsReturnBeforeAppeal", effects: ["scheduleReturnTimeout"] },
      ],
      // The platform's rejection of an appeal is final; the shop's may be appealed.
      reject: [
        { to: "CLOSED", guard: "wasAppealed", effects: [closeRequest] },
        { to: "REJECTED", effects: ["cancelReviewTimeout", "scheduleAppealTimeout"] },
      ],
      withdraw: { to: "CLOSED", effects: ["cancelReviewTimeout", closeRequest] },
    },
    REJECTED: {
      // An appeal goes back to review, now decided by the platform operator.
      appeal: { to: "PENDING_REVIEW", guard: "withinAppealWindow", effects: ["cancelAppealTimeout"] },
      "appeal.timeout": { to: "CLOSED", effects: [closeRequest] },
      withdraw: { to: "CLOSED", effects: ["cancelAppealTimeout", closeRequest] },
    },
    AWAITING_BUYER_RETURN: {
      "buyer.shipped": {
        to: "AWAITING_RETURN_RECEIPT",
        effects: ["cancelReturnTimeout", "scheduleReceiveTimeout"],
      },
      "return.timeout": { to: "CLOSED", effects: [closeRequest] },
      withdraw: { to: "CLOSED", effects: ["cancelReturnTimeout", closeRequest] },
    },
    AWAITING_RETURN_RECEIPT: {
      "return.received": [
        {
          to: "PENDING_REFUND",
          guard: "isReturnRefund",
          effects: ["cancelReceiveTimeout", "restockReturn", "requestRefund"],
        },
        {
          to: "AWAITING_EXCHANGE_SHIPMENT",
          guard: "isExchange",
          effects: ["cancelReceiveTimeout", "restockReturn", "requestExchangeShipment"],
        },
      ],
      // Auto-receive protects the buyer, but nothing reached the warehouse, so nothing is restocked.
      "receive.timeout": [
        { to: "PENDING_REFUND", guard: "isReturnRefund", effects: ["requestRefund"] },
        { to: "AWAITING_EXCHANGE_SHIPMENT", guard: "isExchange", effects: ["requestExchangeShipment"] },
      ],
    },
    PENDING_REFUND: {
      "refund.succeeded": { to: "SUCCEEDED", effects: [closeRequest] },
      // The provider refused the refund: still owed, asked again later (backoff) or by an operator.
      "refund.failed": { to: "PENDING_REFUND" },
      "refund.retry": { to: "PENDING_REFUND", guard: "refundRefused", effects: ["requestRefund"] },
    },
    AWAITING_EXCHANGE_SHIPMENT: {
      "replacement.signed": { to: "SUCCEEDED", effects: [closeRequest] },
    },
    SUCCEEDED: {},
    CLOSED: {},
  },
};

/** Guards of the after-sales table, keyed on the request type and its appeal. */
export const AFTER_SALES_GUARDS: GuardMap<AfterSalesGuard, AfterSalesFacts> = {
  isRefundOnly: (facts) => requireFact(facts, "type") === "REFUND_ONLY",
  needsReturn: (facts) => requireFact(facts, "type") !== "REFUND_ONLY",
  isReturnRefund: (facts) => requireFact(facts, "type") === "RETURN_REFUND",
  isExchange: (facts) => requireFact(facts, "type") === "EXCHANGE",
  isRefundOnlyBeforeAppeal: (facts) =>
    !requireFact(facts, "appealed") && requireFact(facts, "type") === "REFUND_ONLY",
  needsReturnBeforeAppeal: (facts) =>
    !requireFact(facts, "appealed") && requireFact(facts, "type") !== "REFUND_ONLY",
  wasAppealed: (facts) => requireFact(facts, "appealed"),
  withinAppealWindow: (facts) => requireFact(facts, "appealWindowOpen"),
  refundRefused: (facts) => requireFact(facts, "refundRefused"),
};

/** B2B dispatch states (DOMAIN.md 6.4): an online order passed to a local store; no warehouse. */
export const B2B_DISPATCH_STATES = [
  "PENDING_DISPATCH",
  "PENDING_PAYMENT",
  "PENDING_ACCEPTANCE",
  "PENDING_DELIVERY",
  "PENDING_SETTLEMENT",
  "COMPLETED",
  "CLOSED",
] as const;
export type B2bDispatchState = (typeof B2B_DISPATCH_STATES)[number];

/** B2B dispatch events. */
export const B2B_DISPATCH_EVENTS = [
  "store.assigned",
  "dispatch.timeout",
  "cancel",
  "pay.succeeded",
  "payment.timeout",
  "store.accepted",
  "store.declined",
  "acceptance.timeout",
  "delivery.confirmed",
  "settlement.completed",
] as const;
export type B2bDispatchEvent = (typeof B2B_DISPATCH_EVENTS)[number];

export type B2bDispatchEffect =
  | "schedulePaymentTimeout"
  | "cancelPaymentTimeout"
  | "notifyStore"
  | "scheduleAcceptanceTimeout"
  | "cancelAcceptanceTimeout"
  | "refundPayment"
  | "refundLatePayment"
  | "requestSettlement";

/** The B2B dispatch table; once paid, every way to CLOSED refunds, and nothing cancels after acceptance. */
export const B2B_DISPATCH_TABLE: StateTable<B2bDispatchState, B2bDispatchEvent, never, B2bDispatchEffect> = {
  name: "B2B_DISPATCH",
  version: "B2B_DISPATCH@1",
  initial: "PENDING_DISPATCH",
  states: B2B_DISPATCH_STATES,
  events: B2B_DISPATCH_EVENTS,
  transitions: {
    PENDING_DISPATCH: {
      "store.assigned": { to: "PENDING_PAYMENT", effects: ["schedulePaymentTimeout"] },
      "dispatch.timeout": { to: "CLOSED" },
      cancel: { to: "CLOSED" },
    },
    PENDING_PAYMENT: {
      "pay.succeeded": {
        to: "PENDING_ACCEPTANCE",
        effects: ["cancelPaymentTimeout", "notifyStore", "scheduleAcceptanceTimeout"],
      },
      "payment.timeout": { to: "CLOSED" },
      cancel: { to: "CLOSED", effects: ["cancelPaymentTimeout"] },
    },
    PENDING_ACCEPTANCE: {
      "store.accepted": { to: "PENDING_DELIVERY", effects: ["cancelAcceptanceTimeout"] },
      "store.declined": { to: "CLOSED", effects: ["cancelAcceptanceTimeout", "refundPayment"] },
      "acceptance.timeout": { to: "CLOSED", effects: ["refundPayment"] },
      cancel: { to: "CLOSED", effects: ["cancelAcceptanceTimeout", "refundPayment", "notifyStore"] },
    },
    PENDING_DELIVERY: {
      "delivery.confirmed": { to: "PENDING_SETTLEMENT", effects: ["requestSettlement"] },
    },
    PENDING_SETTLEMENT: {
      "settlement.completed": { to: "COMPLETED" },
    },
    COMPLETED: {},
    // Same late-payment rule as the standard order: terminal, but a late payment is refunded and recorded.
    CLOSED: {
      "pay.succeeded": { to: "CLOSED", effects: ["refundLatePayment"] },
    },
  },
};

/** The table for each order type; an order stores its type and the table's `version` at creation. */
export const ORDER_STATE_TABLES = {
  STANDARD: STANDARD_ORDER_TABLE,
  B2B_DISPATCH: B2B_DISPATCH_TABLE,
} as const;
export type OrderType = keyof typeof ORDER_STATE_TABLES;

function requireFact<D, K extends keyof D>(facts: D | undefined, key: K): NonNullable<D[K]> {
  const value = facts?.[key];
  if (value === undefined || value === null) throw new Error(`state guard needs the fact "${String(key)}"`);
  return value;
}
