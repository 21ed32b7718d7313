import type { PaymentView } from "../../../shared/contracts/payment.contract";
import type { Payment, Refund } from "./payment";

const sum = (refunds: Refund[]) => refunds.reduce((total, r) => total + r.amountMinor, 0);

/** The API's Payment shape (and the contract's PaymentView) of one attempt with its refunds. */
export function presentPayment(payment: Payment, refunds: Refund[]): PaymentView {
  const own = refunds.filter((r) => r.paymentNo === payment.paymentNo);
  return {
    paymentNo: payment.paymentNo,
    parentOrderNo: payment.parentOrderNo,
    method: payment.method,
    providerPaymentNo: payment.providerPaymentNo,
    status: payment.status,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    paidMinor: payment.paidMinor,
    refundedMinor: sum(own.filter((r) => r.status === "SUCCEEDED")),
    refundingMinor: sum(own.filter((r) => r.status === "PENDING")),
    refunds: own.map((r) => ({
      refundNo: r.refundNo,
      orderNo: r.orderNo,
      amountMinor: r.amountMinor,
      status: r.status,
      reason: r.reason,
    })),
    createdAt: payment.createdAt.toISOString(),
    paidAt: payment.paidAt?.toISOString() ?? null,
    duplicate: payment.duplicate,
  };
}

/** The attempt that speaks for a checkout: the one that paid it, else the open one, else the latest. */
export function checkoutAttempt(attempts: Payment[]): Payment | null {
  return (
    attempts.find((p) => p.status === "SUCCEEDED" && !p.duplicate) ??
    attempts.find((p) => p.status === "PENDING") ??
    attempts.at(-1) ??
    null
  );
}

/** The answer to `POST /payments`: where to pay and how much. */
export function presentCreated(payment: Payment) {
  return {
    paymentNo: payment.paymentNo,
    parentOrderNo: payment.parentOrderNo,
    method: payment.method,
    providerPaymentNo: payment.providerPaymentNo,
    payUrl: payment.payUrl,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    status: payment.status,
  };
}
