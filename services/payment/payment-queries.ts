import type { Caller } from "../../shared/contracts/caller";
import type { PaymentView } from "../../shared/contracts/payment.contract";
import { OmsError } from "../../shared/errors";
import type { PaymentDeps } from "./commands/payment-deps";
import { checkoutAttempt, presentPayment } from "./domain/payment-view";
import { findPayment, paymentsOfParent } from "./store/payment.repo";
import { refundsOf } from "./store/refund.repo";

/**
 * `GET /payments/{paymentNo}`: the buyer's own attempt or any for an admin; 404 for anyone else.
 * Beyond the Payment shape: where to pay, when the attempt was closed, and when its provider closed it.
 */
export async function paymentDetail(deps: PaymentDeps, caller: Caller, paymentNo: string) {
  const payment = await findPayment(deps.pool, paymentNo);
  const visible =
    payment && (caller.role === "admin" || (caller.role === "buyer" && payment.buyerId === caller.userId));
  if (!payment || !visible) throw new OmsError("PAYMENT_NOT_FOUND", "Payment not found", { paymentNo });
  return {
    ...presentPayment(payment, await refundsOf(deps.pool, [paymentNo])),
    payUrl: payment.payUrl,
    closedAt: payment.closedAt?.toISOString() ?? null,
    closedAtProvider: payment.closedAtProvider?.toISOString() ?? null,
  };
}

/** `payment.forParent`: the attempt that paid the checkout (else the latest) for the order detail, or null. */
export async function paymentForParent(
  deps: PaymentDeps,
  parentOrderNo: string,
): Promise<PaymentView | null> {
  const attempt = checkoutAttempt(await paymentsOfParent(deps.pool, parentOrderNo));
  return attempt ? presentPayment(attempt, await refundsOf(deps.pool, [attempt.paymentNo])) : null;
}
