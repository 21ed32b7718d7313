import type {
  StockDriftClearedPayload,
  StockDriftedPayload,
} from "../../../shared/contracts/inventory.contract";
import type { LogisticsStatusChangedPayload } from "../../../shared/contracts/logistics.contract";
import type {
  AfterSalesStepPayload,
  OrderPaidPayload,
  OrderPlacedPayload,
  OrderStepPayload,
  ReconciledPayload,
} from "../../../shared/contracts/order.contract";
import type { NodeCode, PlaceholderValues } from "./nodes";
import { carrierName, formatDeadline, formatYuan } from "./placeholders";
import type { Audience } from "./recipients";

/** What an event (or a reminder) asks to tell: the node, for which order, to whom, with which values. */
export interface NotificationIntent {
  node: NodeCode;
  /** The dedupe key: at most one message per (eventId, recipient, channel). */
  eventId: string;
  /** Null for an event that concerns no order (it tells only operators). */
  orderNo: string | null;
  audience: Audience | null;
  values: PlaceholderValues;
}

const audienceOf = (p: Audience): Audience => ({ buyerId: p.buyerId, shopId: p.shopId });

/** `order.placed` -> ORDER_PLACED: what to pay and by when. */
export function placedNotification(eventId: string, p: OrderPlacedPayload): NotificationIntent {
  return {
    node: "ORDER_PLACED",
    eventId,
    orderNo: p.orderNo,
    audience: audienceOf(p),
    values: {
      orderNo: p.orderNo,
      amount: formatYuan(p.payableMinor),
      deadline: formatDeadline(p.paymentDeadline),
    },
  };
}

/** `order.paid` -> PAYMENT_SUCCEEDED with the amount paid. */
export function paidNotification(eventId: string, p: OrderPaidPayload): NotificationIntent {
  return {
    node: "PAYMENT_SUCCEEDED",
    eventId,
    orderNo: p.orderNo,
    audience: audienceOf(p),
    values: { orderNo: p.orderNo, amount: formatYuan(p.paidMinor) },
  };
}

/** `order.shipped` -> SHIPPED for every package handed over, with its carrier and tracking number. */
export function shippedNotification(eventId: string, p: OrderStepPayload): NotificationIntent {
  return {
    node: "SHIPPED",
    eventId,
    orderNo: p.orderNo,
    audience: audienceOf(p),
    values: { orderNo: p.orderNo, carrier: carrierName(p.carrier), trackingNo: p.trackingNo ?? undefined },
  };
}

/** `order.ship-overdue` -> SHIP_OVERDUE with the ship-by deadline the shop missed. */
export function shipOverdueNotification(eventId: string, p: OrderStepPayload): NotificationIntent {
  return {
    node: "SHIP_OVERDUE",
    eventId,
    orderNo: p.orderNo,
    audience: audienceOf(p),
    values: { orderNo: p.orderNo, deadline: p.shipBy ? formatDeadline(p.shipBy) : undefined },
  };
}

/** `order.completed` -> COMPLETED, the invitation to review. */
export function completedNotification(eventId: string, p: OrderStepPayload): NotificationIntent {
  return {
    node: "COMPLETED",
    eventId,
    orderNo: p.orderNo,
    audience: audienceOf(p),
    values: { orderNo: p.orderNo },
  };
}

/** `logistics.status-changed` -> SIGNED; every other tracking status tells nobody (null). */
export function signedNotification(
  eventId: string,
  p: LogisticsStatusChangedPayload,
  audience: Audience,
): NotificationIntent | null {
  if (p.status !== "SIGNED") return null;
  return {
    node: "SIGNED",
    eventId,
    orderNo: p.orderNo,
    audience,
    values: { orderNo: p.orderNo, carrier: carrierName(p.carrier), trackingNo: p.trackingNo },
  };
}

/** The after-sales channels that notify, and their nodes. */
export const AFTER_SALES_NODES = {
  "aftersales.created": "AFTER_SALES_CREATED",
  "aftersales.approved": "AFTER_SALES_APPROVED",
  "aftersales.rejected": "AFTER_SALES_REJECTED",
  "aftersales.appealed": "AFTER_SALES_APPEALED",
  "aftersales.refunded": "AFTER_SALES_REFUNDED",
} as const satisfies Record<string, NodeCode>;
export type AfterSalesChannel = keyof typeof AFTER_SALES_NODES;

/**
 * `aftersales.*` -> the matching AFTER_SALES_* node with the request number, amount and reason (the buyer's
 * on created, the shop's on rejected, the appeal's on appealed). A rejection that closes the request is the
 * platform's final answer to an appeal: AFTER_SALES_APPEAL_REJECTED, which offers no further appeal.
 */
export function afterSalesNotification(
  channel: AfterSalesChannel,
  eventId: string,
  p: AfterSalesStepPayload,
): NotificationIntent {
  return {
    node:
      channel === "aftersales.rejected" && p.status === "CLOSED"
        ? "AFTER_SALES_APPEAL_REJECTED"
        : AFTER_SALES_NODES[channel],
    eventId,
    orderNo: p.orderNo,
    audience: audienceOf(p),
    values: {
      orderNo: p.orderNo,
      afterSalesNo: p.afterSalesNo,
      amount: formatYuan(p.refundMinor),
      reason: p.reason ?? undefined,
    },
  };
}

/**
 * `settlement.reconciled` -> RECONCILIATION_MISMATCHED for the operators, with the day, how many mismatches
 * and of which kinds (most first); a day without mismatches tells nobody (null).
 */
export function reconciledNotification(eventId: string, p: ReconciledPayload): NotificationIntent | null {
  if (p.mismatchCount === 0) return null;
  return operatorNotice("RECONCILIATION_MISMATCHED", eventId, {
    date: p.date,
    count: `${p.mismatchCount}${p.truncated ? "+" : ""}`,
    kinds: kindsText(p.byKind),
  });
}

/**
 * `inventory.drifted` -> STOCK_DRIFTED for the operators: which check (its id in `GET /admin/inventory/checks`),
 * when it ran (China Standard Time), how many drifts and of which kinds (most first).
 */
export function stockDriftedNotification(eventId: string, p: StockDriftedPayload): NotificationIntent {
  return operatorNotice("STOCK_DRIFTED", eventId, {
    checkId: String(p.checkId),
    date: formatDeadline(p.checkedAt),
    count: String(p.driftCount),
    kinds: kindsText(p.byKind),
  });
}

/**
 * `inventory.drift-cleared` -> STOCK_DRIFT_CLEARED for the operators: the clean check, when it ran (China
 * Standard Time), and the check before it that had found drift.
 */
export function stockDriftClearedNotification(
  eventId: string,
  p: StockDriftClearedPayload,
): NotificationIntent {
  return operatorNotice("STOCK_DRIFT_CLEARED", eventId, {
    checkId: String(p.checkId),
    date: formatDeadline(p.checkedAt),
    previousCheckId: String(p.previousCheckId),
  });
}

/** A notice to the operators: it concerns no order, and its rule names its recipients. */
function operatorNotice(node: NodeCode, eventId: string, values: PlaceholderValues): NotificationIntent {
  return { node, eventId, orderNo: null, audience: null, values };
}

/** Counts per kind, most first: "REFUND_FAILED ×2, OVER_REFUNDED ×1". */
function kindsText(byKind: Record<string, number>): string {
  return Object.entries(byKind)
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([kind, n]) => `${kind} ×${n}`)
    .join(", ");
}
