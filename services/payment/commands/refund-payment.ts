import type { RefundParams, RefundResult } from "../../../shared/contracts/payment.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import type { Payment, Refund } from "../domain/payment";
import { numberRequest } from "../domain/payment-numbers";
import { checkoutAttempt } from "../domain/payment-view";
import { assertRefundFits, assertSameRefund } from "../domain/refund-rules";
import { findPayment, paymentsOfParent } from "../store/payment.repo";
import { findRefund, findRefundByKey, insertRefund } from "../store/refund.repo";
import { refusedButPaid } from "./confirm-refusals";
import type { PaymentDeps } from "./payment-deps";
import { firstQueryAt, submitRefund } from "./submit-refund";

const presentRefund = (r: Refund): RefundResult => ({
  refundNo: r.refundNo,
  paymentNo: r.paymentNo,
  status: r.status,
  amountMinor: r.amountMinor,
});

/** The attempt that paid the checkout; 404 without any attempt, 409 when none succeeded. */
async function paidAttempt(deps: PaymentDeps, parentOrderNo: string): Promise<Payment> {
  const attempts = await paymentsOfParent(deps.pool, parentOrderNo);
  const attempt = checkoutAttempt(attempts);
  if (!attempt) throw new OmsError("PAYMENT_NOT_FOUND", "The checkout has no payment", { parentOrderNo });
  if (attempt.status !== "SUCCEEDED") {
    throw new OmsError("INVALID_TRANSITION", "Nothing was paid to refund", {
      state: attempt.status,
      event: "refund",
    });
  }
  return attempt;
}

/**
 * Refunds part of a checkout's payment. Under the payment's row lock: a known idempotency key
 * returns its refund; otherwise the amount must fit in paid minus every refund not failed, and the
 * refund row and the committed amount are written by one conditional statement. The provider is
 * asked after commit; its signed callback completes the refund. A refund asked again (`retry`: the provider
 * refused one of the same child order and reason) asks the provider about those refusals first: one it paid
 * after all is the answer, and no second refund is made.
 */
export async function refundPayment(deps: PaymentDeps, params: RefundParams): Promise<RefundResult> {
  const attempt = await paidAttempt(deps, params.parentOrderNo);
  const orderNo = params.orderNo ?? null;
  if (params.retry && !(await findRefundByKey(deps.pool, attempt.paymentNo, params.idempotencyKey))) {
    const paid = await refusedButPaid(deps, attempt, { cause: "REQUESTED", orderNo, reason: params.reason });
    if (paid) return presentRefund(paid);
  }
  const refundNo = await deps.nextNumber(numberRequest(attempt.parentOrderNo, attempt.buyerId, "REFUND"));
  const now = new Date();
  const { refund, submit } = await withTransaction(deps.pool, async (tx) => {
    const payment = (await findPayment(tx, attempt.paymentNo, true)) as Payment;
    const existing = await findRefundByKey(tx, payment.paymentNo, params.idempotencyKey);
    if (existing) {
      assertSameRefund(existing, { amountMinor: params.amountMinor, orderNo });
      return {
        refund: existing,
        submit: existing.status === "PENDING" && existing.providerRefundNo === null,
      };
    }
    assertRefundFits(payment.paidMinor, payment.refundedMinor, params.amountMinor);
    const created: Refund = {
      refundNo,
      paymentNo: payment.paymentNo,
      orderNo,
      amountMinor: params.amountMinor,
      reason: params.reason,
      cause: "REQUESTED",
      idempotencyKey: params.idempotencyKey,
      status: "PENDING",
      providerRefundNo: null,
      createdAt: now,
      completedAt: null,
    };
    if (!(await insertRefund(tx, created, firstQueryAt(deps, now)))) {
      throw new OmsError("REFUND_EXCEEDS_PAID", "The refunds would exceed the amount paid", {
        paidMinor: payment.paidMinor,
        requestedMinor: params.amountMinor,
      });
    }
    return { refund: created, submit: true };
  });
  if (submit) await submitRefund(deps, refund.refundNo);
  return presentRefund((await findRefund(deps.pool, refund.refundNo)) ?? refund);
}
