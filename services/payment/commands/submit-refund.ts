import type { PoolClient } from "pg";
import type { Payment, Refund } from "../domain/payment";
import { numberRequest } from "../domain/payment-numbers";
import { findPayment } from "../store/payment.repo";
import { findRefund, insertRefund, setProviderRefundNo } from "../store/refund.repo";
import type { PaymentDeps } from "./payment-deps";

/** When a new refund is first asked about at its provider, if no callback came by then. */
export const firstQueryAt = (deps: PaymentDeps, now: Date) => new Date(now.getTime() + deps.queryAfterMs);

/**
 * The automatic refund of a duplicate payment: in full inside its payment transition, or what is left of it
 * when a refused one is asked again (`attempt` > 0: the refusals so far, each a new idempotency key).
 */
export async function createDuplicateRefund(
  deps: PaymentDeps,
  tx: PoolClient,
  payment: Payment,
  now: Date,
  attempt = 0,
  amountMinor = payment.amountMinor,
) {
  const refundNo = await deps.nextNumber(numberRequest(payment.parentOrderNo, payment.buyerId, "REFUND"));
  const refund: Refund = {
    refundNo,
    paymentNo: payment.paymentNo,
    orderNo: null,
    amountMinor,
    reason: "DUPLICATE_PAYMENT",
    cause: "DUPLICATE_PAYMENT",
    idempotencyKey: attempt === 0 ? "duplicate-payment" : `duplicate-payment:${attempt}`,
    status: "PENDING",
    providerRefundNo: null,
    createdAt: now,
    completedAt: null,
  };
  if (!(await insertRefund(tx, refund, firstQueryAt(deps, now)))) {
    throw new Error(`duplicate payment ${payment.paymentNo} could not be refunded in full`);
  }
  return refundNo;
}

/**
 * Asks the provider to refund (idempotent per refund number there). A failure is only logged:
 * the refund stays PENDING and the active query submits it again.
 */
export async function submitRefund(deps: PaymentDeps, refundNo: string): Promise<void> {
  try {
    const refund = await findRefund(deps.pool, refundNo);
    const payment = refund && (await findPayment(deps.pool, refund.paymentNo));
    if (!refund || !payment || refund.status !== "PENDING") return;
    const accepted = await deps.providers.get(payment.method).refund({
      paymentNo: payment.paymentNo,
      providerPaymentNo: payment.providerPaymentNo,
      refundNo: refund.refundNo,
      amountMinor: refund.amountMinor,
      totalMinor: payment.amountMinor,
    });
    await setProviderRefundNo(deps.pool, refundNo, accepted.providerRefundNo);
  } catch (err) {
    deps.logger.warn("refund submission failed; the query sweep retries it", {
      refundNo,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
