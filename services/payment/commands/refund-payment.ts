import type { PoolClient } from "pg";
import type { RefundParams, RefundResult } from "../../../shared/contracts/payment.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import type { Payment, Refund } from "../domain/payment";
import { numberRequest } from "../domain/payment-numbers";
import { checkoutAttempt } from "../domain/payment-view";
import { assertRefundFits, assertSameRefund } from "../domain/refund-rules";
import { findPayment, paymentsOfParent } from "../store/payment.repo";
import { findRefund, findRefundByKey, insertRefund, setProviderRefundNo } from "../store/refund.repo";
import type { PaymentDeps } from "./payment-deps";

const presentRefund = (r: Refund): RefundResult => ({
  refundNo: r.refundNo,
  paymentNo: r.paymentNo,
  status: r.status,
  amountMinor: r.amountMinor,
});

const firstQueryAt = (deps: PaymentDeps, now: Date) => new Date(now.getTime() + deps.queryAfterMs);

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
 * asked after commit; its signed callback completes the refund.
 */
export async function refundPayment(deps: PaymentDeps, params: RefundParams): Promise<RefundResult> {
  const attempt = await paidAttempt(deps, params.parentOrderNo);
  const refundNo = await deps.nextNumber(numberRequest(attempt.parentOrderNo, attempt.buyerId, "REFUND"));
  const now = new Date();
  const orderNo = params.orderNo ?? null;
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
