import type { PaymentMethod, PaymentStatus, RefundStatus } from "../../../shared/contracts/payment.contract";

/** A payment attempt: the buyer chose a method for a checkout; amounts in fen. */
export interface Payment {
  paymentNo: string;
  parentOrderNo: string;
  buyerId: string;
  method: PaymentMethod;
  providerPaymentNo: string;
  payUrl: string;
  status: PaymentStatus;
  amountMinor: number;
  currency: "CNY";
  paidMinor: number;
  /** Refunds not failed, pending included: what "never more than paid" counts. */
  refundedMinor: number;
  /** Money that arrived after another attempt had paid the checkout (refunded automatically). */
  duplicate: boolean;
  failureReason: string | null;
  createdAt: Date;
  paidAt: Date | null;
  closedAt: Date | null;
  /** When the provider confirmed the close: nobody can pay this attempt any more. */
  closedAtProvider: Date | null;
}

/** A new attempt as its provider opened it: PENDING, nothing paid or refunded yet. */
export function openedAttempt(
  a: Pick<
    Payment,
    "paymentNo" | "parentOrderNo" | "buyerId" | "method" | "providerPaymentNo" | "payUrl" | "amountMinor"
  >,
  now: Date,
): Payment {
  return {
    ...a,
    status: "PENDING",
    currency: "CNY",
    paidMinor: 0,
    refundedMinor: 0,
    duplicate: false,
    failureReason: null,
    createdAt: now,
    paidAt: null,
    closedAt: null,
    closedAtProvider: null,
  };
}

/** An attempt we closed whose provider is still to be told (closeorder / trade.close). */
export interface AttemptToClose {
  paymentNo: string;
  method: PaymentMethod;
  providerPaymentNo: string;
}

/** REQUESTED by the order service, or DUPLICATE_PAYMENT: the payment service gives back a second payment. */
export type RefundCause = "REQUESTED" | "DUPLICATE_PAYMENT";

/** A refund of part of a payment. */
export interface Refund {
  refundNo: string;
  paymentNo: string;
  orderNo: string | null;
  amountMinor: number;
  reason: string;
  cause: RefundCause;
  idempotencyKey: string;
  status: RefundStatus;
  providerRefundNo: string | null;
  createdAt: Date;
  completedAt: Date | null;
}
