import type { Role } from "../../../shared/contracts/caller";
import { OmsError, validationFailed } from "../../../shared/errors";
import { type ActorRole, rowsFor } from "../../../shared/state-machine/engine";
import type { ChildOrder } from "./order";
import {
  AFTER_SALES_GUARDS,
  AFTER_SALES_TABLE,
  type AfterSalesEvent,
  type AfterSalesFacts,
  type AfterSalesState,
  type AfterSalesType,
} from "./order-states";
import type { AfterSalesStatus } from "./order-view";

/** One line of an after-sales request: which units. */
export interface AfterSalesLine {
  lineId: string;
  skuId: string;
  quantity: number;
}

/** An after-sales request (售后单) as stored. */
export interface AfterSalesRequest {
  afterSalesNo: string;
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  shopId: string;
  type: AfterSalesType;
  status: AfterSalesState;
  tableVersion: string;
  lines: AfterSalesLine[];
  reason: string;
  rejectReason: string | null;
  intercept: boolean;
  intercepted: boolean | null;
  refundMinor: number;
  refundPlan: StoredRefundPlan | null;
  refundNo: string | null;
  refundedAt: Date | null;
  /** Refunds the provider refused so far; the next one is asked under a new idempotency key. */
  refundAttempts: number;
  /** Why the last refund was refused. */
  refundFailure: string | null;
  /** When the refused refund is asked again by itself; null once the automatic retries are used up. */
  refundRetryAt: Date | null;
  returnCarrier: string | null;
  returnTrackingNo: string | null;
  returnedAt: Date | null;
  receivedAt: Date | null;
  restocked: boolean;
  replacementPackageIds: string[];
  dueAt: Date | null;
  createdAt: Date;
  closedAt: Date | null;
  closeReason: string | null;
}

/** The refund a request pays, fixed when it reaches PENDING_REFUND. */
export interface StoredRefundPlan {
  /** The discount shares each line reverses (for settlement); absent on plans stored before they were kept. */
  lines: {
    lineId: string;
    quantity: number;
    amountMinor: number;
    coinsMinor: number;
    shopFundedMinor?: number;
    platformFundedMinor?: number;
  }[];
  goodsMinor: number;
  shippingMinor: number;
  totalMinor: number;
  coins: number;
  couponIds: string[];
  wholeOrder: boolean;
  /** Whether the order had shipped anything when the refund was planned. */
  shipped: boolean;
}

/** Requests in these states hold their units: no other request may ask for them. */
const RELEASED_STATES: readonly AfterSalesState[] = ["REJECTED", "CLOSED"];
/** Requests in these states are still running: the order shows 售后中 / 退款中. */
const OPEN_STATES: readonly AfterSalesState[] = [
  "PENDING_REVIEW",
  "AWAITING_BUYER_RETURN",
  "AWAITING_RETURN_RECEIPT",
  "PENDING_REFUND",
  "AWAITING_EXCHANGE_SHIPMENT",
];

export const isOpen = (r: Pick<AfterSalesRequest, "status">) => OPEN_STATES.includes(r.status);

/** Units of each line already taken by requests that are open or succeeded. */
export function unitsInAfterSales(requests: readonly AfterSalesRequest[]): Map<string, number> {
  const taken = new Map<string, number>();
  for (const r of requests) {
    if (RELEASED_STATES.includes(r.status)) continue;
    for (const l of r.lines) taken.set(l.lineId, (taken.get(l.lineId) ?? 0) + l.quantity);
  }
  return taken;
}

/** Order states that accept after-sales requests of each type; FINISHED means the window closed. */
const REQUESTABLE: Record<AfterSalesType, readonly ChildOrder["status"][]> = {
  REFUND_ONLY: ["AWAITING_SHIPMENT", "PARTIALLY_SHIPPED", "SHIPPED", "COMPLETED"],
  RETURN_REFUND: ["SHIPPED", "COMPLETED"],
  EXCHANGE: ["SHIPPED", "COMPLETED"],
};

/**
 * Checks a new request against the order and the requests it already has; answers its lines with
 * their SKUs. Errors: AFTER_SALES_WINDOW_CLOSED (FINISHED), INVALID_TRANSITION (unpaid, closed, or a
 * return before anything shipped), VALIDATION_FAILED naming `lines[i].lineId` / `lines[i].quantity`.
 */
export function checkRequest(
  order: ChildOrder,
  existing: readonly AfterSalesRequest[],
  type: AfterSalesType,
  lines: readonly { lineId: string; quantity: number }[],
): AfterSalesLine[] {
  if (order.status === "FINISHED") {
    throw new OmsError("AFTER_SALES_WINDOW_CLOSED", "The after-sales window of this order has closed", {
      orderNo: order.orderNo,
      state: order.status,
    });
  }
  if (!REQUESTABLE[type].includes(order.status)) {
    throw new OmsError("INVALID_TRANSITION", `${type} is not allowed while the order is ${order.status}`, {
      state: order.status,
      event: "aftersales.create",
      type,
    });
  }
  if (lines.length === 0) throw validationFailed("lines", "Name at least one line");
  const taken = unitsInAfterSales(existing);
  const seen = new Set<string>();
  return lines.map((requested, i) => {
    const line = order.lines.find((l) => l.lineId === requested.lineId);
    if (!line) {
      throw validationFailed(`lines[${i}].lineId`, `Line ${requested.lineId} is not a line of this order`, {
        lineId: requested.lineId,
      });
    }
    if (seen.has(line.lineId)) {
      throw validationFailed(`lines[${i}].lineId`, `Line ${line.lineId} is named twice`, {
        lineId: line.lineId,
      });
    }
    seen.add(line.lineId);
    const remaining = line.quantity - (taken.get(line.lineId) ?? 0);
    if (requested.quantity > remaining) {
      throw validationFailed(
        `lines[${i}].quantity`,
        `Only ${remaining} of line ${line.lineId} can still be asked for`,
        { lineId: line.lineId, remaining, bought: line.quantity },
      );
    }
    return { lineId: line.lineId, skuId: line.skuId, quantity: requested.quantity };
  });
}

/**
 * The order's after-sales status: IN_PROGRESS while any request runs; otherwise REFUNDED when every
 * unit is refunded, PARTIALLY_REFUNDED when some are, NONE when none.
 */
export function afterSalesStatusOf(
  order: Pick<ChildOrder, "lines">,
  requests: readonly Pick<AfterSalesRequest, "status">[],
): AfterSalesStatus {
  if (requests.some(isOpen)) return "IN_PROGRESS";
  const refunded = order.lines.reduce((sum, l) => sum + l.refundedQuantity, 0);
  if (refunded === 0) return "NONE";
  return order.lines.every((l) => l.refundedQuantity >= l.quantity) ? "REFUNDED" : "PARTIALLY_REFUNDED";
}

/** How long after a rejection the buyer may appeal to the platform; the request then closes (APPEAL_TIMEOUT). */
export const APPEAL_WINDOW_MS = 7 * 86_400_000;

/** The buyer's appeal of a rejection, as its timeline recorded it. */
export interface AfterSalesAppeal {
  at: Date;
  reason: string | null;
}

/**
 * The facts the after-sales table's guards judge. A rejected request without a deadline was rejected before
 * appeals had one (table @1): its window never closes.
 */
export function afterSalesFacts(
  r: Pick<AfterSalesRequest, "type" | "status" | "dueAt" | "refundNo" | "refundAttempts">,
  appeal: AfterSalesAppeal | null,
  now: Date,
): Required<AfterSalesFacts> {
  return {
    type: r.type,
    appealed: appeal !== null,
    appealWindowOpen: r.status === "REJECTED" && (r.dueAt === null || now < r.dueAt),
    refundRefused: r.refundNo === null && r.refundAttempts > 0,
  };
}

/** The idempotency key of a request's refund: a refused refund is asked again as a new one. */
export const refundKey = (r: Pick<AfterSalesRequest, "afterSalesNo" | "refundAttempts">) =>
  r.refundAttempts === 0
    ? `aftersales:${r.afterSalesNo}`
    : `aftersales:${r.afterSalesNo}:${r.refundAttempts}`;

/** Once the buyer appealed, the platform reviews: the shop's approve and reject are no longer its own. */
const shopLostReview = (role: ActorRole, appeal: AfterSalesAppeal | null) =>
  appeal !== null && role === "merchant";

/** After an appeal the platform decides: the shop may no longer approve or reject (403, `reviewer` PLATFORM). */
export function assertMayReview(
  role: ActorRole,
  r: Pick<AfterSalesRequest, "afterSalesNo">,
  appeal: AfterSalesAppeal | null,
): void {
  if (shopLostReview(role, appeal)) {
    throw new OmsError("FORBIDDEN", "The buyer appealed this request: the platform decides it now", {
      afterSalesNo: r.afterSalesNo,
      reviewer: "PLATFORM",
    });
  }
}

/**
 * An appeal takes back the units the rejection released; another request may have taken them since, and then
 * the appeal is refused (409 CONFLICT naming the line).
 */
export function checkAppealUnits(
  order: Pick<ChildOrder, "lines">,
  others: readonly AfterSalesRequest[],
  r: Pick<AfterSalesRequest, "afterSalesNo" | "lines">,
): void {
  const taken = unitsInAfterSales(others.filter((o) => o.afterSalesNo !== r.afterSalesNo));
  for (const asked of r.lines) {
    const bought = order.lines.find((l) => l.lineId === asked.lineId)?.quantity ?? 0;
    const remaining = bought - (taken.get(asked.lineId) ?? 0);
    if (asked.quantity > remaining) {
      throw new OmsError("CONFLICT", `Line ${asked.lineId} was asked for again by a later request`, {
        afterSalesNo: r.afterSalesNo,
        lineId: asked.lineId,
        remaining,
      });
    }
  }
}

const REVIEW_EVENTS: readonly AfterSalesEvent[] = ["approve", "reject"];

/** The buttons of a request per role, each an event of the table; the shop loses its review once appealed. */
const ACTIONS_BY_ROLE: Record<Role, readonly [AfterSalesEvent, string][]> = {
  buyer: [
    ["buyer.shipped", "RETURN_SHIPMENT"],
    ["appeal", "APPEAL"],
    ["withdraw", "WITHDRAW"],
  ],
  merchant: [
    ["approve", "APPROVE"],
    ["reject", "REJECT"],
    ["return.received", "RECEIVE"],
  ],
  admin: [
    ["approve", "APPROVE"],
    ["reject", "REJECT"],
    ["return.received", "RECEIVE"],
    ["refund.retry", "RETRY_REFUND"],
  ],
};

/** The actions the role may take on the request now: the table takes the event and the role may send it. */
export function afterSalesActions(
  r: Pick<AfterSalesRequest, "type" | "status" | "dueAt" | "refundNo" | "refundAttempts">,
  appeal: AfterSalesAppeal | null,
  role: Role,
  now: Date,
): string[] {
  const facts = afterSalesFacts(r, appeal, now);
  const takes = (event: AfterSalesEvent) =>
    rowsFor(AFTER_SALES_TABLE, r.status, event).some(
      (row) => row.guard === undefined || AFTER_SALES_GUARDS[row.guard](facts),
    );
  return ACTIONS_BY_ROLE[role]
    .filter(([event]) => takes(event))
    .filter(([event]) => !(REVIEW_EVENTS.includes(event) && shopLostReview(role, appeal)))
    .map(([, action]) => action);
}
