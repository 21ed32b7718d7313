import type { LedgerPayment, LedgerRefund } from "../../../shared/contracts/payment.contract";

/** What a day's reconciliation can find wrong between the payment records and the orders. */
export type MismatchKind =
  /** Money arrived that no order accounts for: no order paid by it, nor refunded as not kept. */
  | "PAYMENT_NOT_ON_ORDERS"
  /** The orders account for a different amount than the payment received. */
  | "PAYMENT_AMOUNT_MISMATCH"
  /** Orders say a payment paid them that the payment service has not as succeeded in that day. */
  | "ORDER_PAID_WITHOUT_PAYMENT"
  /** A second payment of a paid checkout is not (fully) given back. */
  | "DUPLICATE_NOT_REFUNDED"
  /** A refund the provider completed that no order records. */
  | "REFUND_NOT_ON_ORDERS"
  /** A refund the orders record at a different amount. */
  | "REFUND_AMOUNT_MISMATCH"
  /** A refund the orders asked for that the provider refused, and no later refund paid: the buyer still waits. */
  | "REFUND_FAILED"
  /** Orders record a refund that the payment service has not as completed in that day. */
  | "ORDER_REFUND_WITHOUT_PAYMENT_REFUND"
  /**
   * A refund paid beyond what its payment received (paymentMinor: the refunds paid so far; ordersMinor: what
   * was paid): the provider paid a refused refund after all, after it had been asked again.
   */
  | "OVER_REFUNDED";

export interface Mismatch {
  kind: MismatchKind;
  paymentNo: string;
  refundNo: string | null;
  parentOrderNo: string | null;
  /** The child orders concerned, when the orders name any. */
  orderNos: string[];
  /** What the payment service recorded (received, or refunded). */
  paymentMinor: number;
  /** What the orders say. */
  ordersMinor: number;
}

/** What the orders say about a payment: the children it paid, and what of it they refunded as not kept. */
export interface OrdersOfPayment {
  paymentNo: string;
  orderNos: string[];
  paidMinor: number;
  /** Refunds of money no child kept (order_no null): a payment after close, a second payment. */
  notKeptRefundedMinor: number;
}

/** A refund as the orders record it. */
export interface OrdersRefund {
  refundNo: string;
  paymentNo: string;
  parentOrderNo: string;
  orderNo: string | null;
  amountMinor: number;
}

/**
 * Payments the payment service received in the day, against what the orders say about each. A payment
 * that paid a checkout must be accounted for by its children's paid amounts plus what the order service
 * refunded as not kept; a duplicate must be refunded in full by the payment service itself.
 */
export function reconcilePayments(
  payments: readonly LedgerPayment[],
  orders: ReadonlyMap<string, OrdersOfPayment>,
): Mismatch[] {
  const found: Mismatch[] = [];
  for (const p of payments) {
    if (p.status !== "SUCCEEDED") continue;
    const base = {
      paymentNo: p.paymentNo,
      refundNo: null,
      parentOrderNo: p.parentOrderNo,
      paymentMinor: p.paidMinor,
    };
    if (p.duplicate) {
      if (p.refundedMinor < p.paidMinor) {
        found.push({ ...base, kind: "DUPLICATE_NOT_REFUNDED", orderNos: [], ordersMinor: p.refundedMinor });
      }
      continue;
    }
    const said = orders.get(p.paymentNo);
    const accounted = said ? said.paidMinor + said.notKeptRefundedMinor : 0;
    if (accounted === p.paidMinor) continue;
    found.push({
      ...base,
      kind: accounted === 0 ? "PAYMENT_NOT_ON_ORDERS" : "PAYMENT_AMOUNT_MISMATCH",
      orderNos: said?.orderNos ?? [],
      ordersMinor: accounted,
    });
  }
  return found;
}

/** Whether an instant lies in [from, to). */
const within = (at: string | null, from: Date, to: Date) =>
  at !== null && new Date(at) >= from && new Date(at) < to;

/**
 * Payments the orders say paid them in the day that the payment service did not receive as succeeded
 * in that day (those it did were judged by `reconcilePayments`). `ledger`: those payments by number.
 */
export function ordersWithoutPayment(
  orders: readonly OrdersOfPayment[],
  ledger: ReadonlyMap<string, LedgerPayment>,
  from: Date,
  to: Date,
): Mismatch[] {
  const found: Mismatch[] = [];
  for (const o of orders) {
    const p = ledger.get(o.paymentNo);
    const succeeded = p?.status === "SUCCEEDED";
    if (succeeded && !p.duplicate && within(p.paidAt, from, to)) continue;
    found.push({
      kind: "ORDER_PAID_WITHOUT_PAYMENT",
      paymentNo: o.paymentNo,
      refundNo: null,
      parentOrderNo: p?.parentOrderNo ?? null,
      orderNos: o.orderNos,
      paymentMinor: succeeded ? p.paidMinor : 0,
      ordersMinor: o.paidMinor,
    });
  }
  return found;
}

/** What a refund was for: a refused refund asked again is paid by another refund with the same purpose. */
export const purposeOf = (r: { paymentNo: string; orderNo: string | null; reason: string }) =>
  `${r.paymentNo}|${r.orderNo ?? ""}|${r.reason}`;

/**
 * Refunds the payment service completed in the day, against the orders' records. Only refunds the order
 * service asked for (REQUESTED): a duplicate payment's refund is the payment service's own business. A
 * refused one is a mismatch until the orders record a refund paid for the same purpose (`paidPurposes`).
 * Any refund, a duplicate's too, that paid out more than its payment received is OVER_REFUNDED.
 */
export function reconcileRefunds(
  refunds: readonly LedgerRefund[],
  orders: ReadonlyMap<string, OrdersRefund>,
  paidPurposes: ReadonlySet<string> = new Set(),
): Mismatch[] {
  const found: Mismatch[] = [];
  for (const r of refunds) {
    if (r.refundsPaidMinor !== null && r.refundsPaidMinor > r.paymentPaidMinor) {
      found.push({
        kind: "OVER_REFUNDED",
        paymentNo: r.paymentNo,
        refundNo: r.refundNo,
        parentOrderNo: r.parentOrderNo,
        orderNos: r.orderNo ? [r.orderNo] : [],
        paymentMinor: r.refundsPaidMinor,
        ordersMinor: r.paymentPaidMinor,
      });
    }
    if (r.cause !== "REQUESTED") continue;
    const recorded = orders.get(r.refundNo);
    const base = {
      paymentNo: r.paymentNo,
      refundNo: r.refundNo,
      parentOrderNo: r.parentOrderNo,
      orderNos: r.orderNo ? [r.orderNo] : [],
      paymentMinor: r.status === "SUCCEEDED" ? r.amountMinor : 0,
      ordersMinor: recorded?.amountMinor ?? 0,
    };
    if (r.status === "FAILED") {
      if (!paidPurposes.has(purposeOf(r)))
        found.push({ ...base, kind: "REFUND_FAILED", ordersMinor: r.amountMinor });
    } else if (r.status === "SUCCEEDED" && !recorded) {
      found.push({ ...base, kind: "REFUND_NOT_ON_ORDERS" });
    } else if (r.status === "SUCCEEDED" && recorded && recorded.amountMinor !== r.amountMinor) {
      found.push({ ...base, kind: "REFUND_AMOUNT_MISMATCH" });
    }
  }
  return found;
}

/**
 * Refunds the orders recorded in the day that the payment service did not complete in that day (those it
 * did were judged by `reconcileRefunds`). `ledger`: those refunds by number.
 */
export function refundsWithoutPayment(
  refunds: readonly OrdersRefund[],
  ledger: ReadonlyMap<string, LedgerRefund>,
  from: Date,
  to: Date,
): Mismatch[] {
  const found: Mismatch[] = [];
  for (const r of refunds) {
    const l = ledger.get(r.refundNo);
    const succeeded = l?.status === "SUCCEEDED";
    if (succeeded && within(l.completedAt, from, to)) continue;
    found.push({
      kind: "ORDER_REFUND_WITHOUT_PAYMENT_REFUND",
      paymentNo: r.paymentNo,
      refundNo: r.refundNo,
      parentOrderNo: r.parentOrderNo,
      orderNos: r.orderNo ? [r.orderNo] : [],
      paymentMinor: succeeded ? l.amountMinor : 0,
      ordersMinor: r.amountMinor,
    });
  }
  return found;
}
