/**
 * The payment service's RPC and durable-event contract with the order service.
 * REST shapes are in API.md ("Payment"); these are the internal shapes.
 */

export type PaymentMethod = "WECHAT" | "ALIPAY" | "UNIONPAY";
export type PaymentStatus = "PENDING" | "SUCCEEDED" | "FAILED" | "CLOSED";
export type RefundStatus = "PENDING" | "SUCCEEDED" | "FAILED";
export const PAYMENT_METHODS: readonly PaymentMethod[] = ["WECHAT", "ALIPAY", "UNIONPAY"];

/** The payment service's durable channels (outbox -> JetStream); consumers dedupe on the envelope's eventId. */
export const PAYMENT_CHANNELS = {
  succeeded: "payment.succeeded",
  failed: "payment.failed",
  refundSucceeded: "refund.succeeded",
  refundFailed: "refund.failed",
} as const;

/**
 * `order.preparePayment {parentOrderNo}` (called by the payment service with the buyer in ctx.meta.user):
 * checks the caller owns the checkout, that it is still PENDING_PAYMENT, and stock again (DOMAIN.md 8:
 * 付款前再次校验). Errors: NOT_FOUND (not the caller's), INVALID_TRANSITION {state} (already paid or
 * closed), OUT_OF_STOCK {skuId}.
 */
export interface PreparePaymentParams {
  parentOrderNo: string;
}
export interface PreparePaymentResult {
  parentOrderNo: string;
  buyerId: string;
  payableMinor: number;
  currency: "CNY";
  paymentDeadline: string;
  orders: { orderNo: string; shopId: string; payableMinor: number }[];
}

/** Durable event `payment.succeeded`: the provider confirmed the money (after signature and amount checks). */
export interface PaymentSucceededPayload {
  paymentNo: string;
  parentOrderNo: string;
  buyerId: string;
  method: PaymentMethod;
  providerPaymentNo: string;
  amountMinor: number;
  paidAt: string;
}

/** Durable event `payment.failed`: the attempt failed; the order stays payable until its timeout. */
export interface PaymentFailedPayload {
  paymentNo: string;
  parentOrderNo: string;
  reason: string;
}

/**
 * `payment.refund`: refunds part of a succeeded payment. Idempotent per `idempotencyKey` (a retry
 * returns the first refund); the sum of refunds never exceeds the amount paid (REFUND_EXCEEDS_PAID).
 * `orderNo` names the child order the refund is for (null for the whole checkout).
 */
export interface RefundParams {
  parentOrderNo: string;
  orderNo: string | null;
  amountMinor: number;
  reason: string;
  idempotencyKey: string;
  /**
   * Asks again a refund of this child order and reason that the provider refused: the provider is asked
   * about the refusal first, and a refused refund it paid after all is the answer instead of a new one.
   */
  retry?: boolean;
}
export interface RefundResult {
  refundNo: string;
  paymentNo: string;
  status: RefundStatus;
  amountMinor: number;
}

/** Durable event `refund.succeeded`: the provider confirmed a refund. */
export interface RefundSucceededPayload {
  refundNo: string;
  paymentNo: string;
  parentOrderNo: string;
  orderNo: string | null;
  amountMinor: number;
  reason: string;
}

/** Durable event `refund.failed`: the provider refused a refund; its amount is refundable again. */
export interface RefundFailedPayload {
  refundNo: string;
  paymentNo: string;
  parentOrderNo: string;
  orderNo: string | null;
  amountMinor: number;
  /** Why the provider refused it. */
  reason: string;
  /** What the refund was for, as its requester gave it (e.g. `AFTER_SALES:<afterSalesNo>`); absent on older events. */
  refundReason?: string;
}

/** `payment.forParent {parentOrderNo}` -> the checkout's payment (API.md "Payment" shape) or null. */
export interface PaymentView {
  paymentNo: string;
  parentOrderNo: string;
  method: PaymentMethod;
  providerPaymentNo: string;
  status: PaymentStatus;
  amountMinor: number;
  paidMinor: number;
  refundedMinor: number;
  refunds: {
    refundNo: string;
    orderNo: string | null;
    amountMinor: number;
    status: RefundStatus;
    reason: string;
  }[];
  createdAt: string;
  paidAt: string | null;
  /** Refunds accepted but not yet confirmed by the provider (already counted against the amount paid). */
  refundingMinor?: number;
  currency?: "CNY";
  /** Money that arrived on an attempt after another attempt had paid the checkout; refunded automatically. */
  duplicate?: boolean;
}

/**
 * `payment.ledger`: what the payment service recorded, for the daily reconciliation (internal). Either a
 * page of a window - payments paid, or refunds completed, in [from, to), in (time, number) order after
 * `after` - or, with `nos`, those payments or refunds by number wherever they fall.
 */
export interface LedgerParams {
  kind: "payments" | "refunds";
  from?: string;
  to?: string;
  after?: LedgerCursor;
  limit?: number;
  nos?: string[];
}

/** Where a ledger page ended: its last item's time and number. */
export interface LedgerCursor {
  at: string;
  no: string;
}

export interface LedgerPayment {
  paymentNo: string;
  parentOrderNo: string;
  status: PaymentStatus;
  paidMinor: number;
  refundedMinor: number;
  /** Money on a second attempt of a paid checkout: refunded in full by the payment service itself. */
  duplicate: boolean;
  paidAt: string | null;
}

export interface LedgerRefund {
  refundNo: string;
  paymentNo: string;
  parentOrderNo: string;
  orderNo: string | null;
  /** REQUESTED by the order service, or DUPLICATE_PAYMENT (the payment service's own). */
  cause: "REQUESTED" | "DUPLICATE_PAYMENT";
  status: "PENDING" | "SUCCEEDED" | "FAILED";
  amountMinor: number;
  /** What it was for, as its requester gave it. */
  reason: string;
  completedAt: string | null;
  /** What its payment received. */
  paymentPaidMinor: number;
  /** For a paid refund: the payment's paid refunds up to and including this one (by completion); else null. */
  refundsPaidMinor: number | null;
}

export interface LedgerPage<T> {
  items: T[];
  /** Null when the window has no more. */
  next: LedgerCursor | null;
}
