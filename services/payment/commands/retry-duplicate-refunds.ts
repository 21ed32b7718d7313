import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { REFUND_RETRY_DELAYS_MS } from "../../../shared/retry/refund-retry";
import type { Payment } from "../domain/payment";
import { findPayment } from "../store/payment.repo";
import { findRefund } from "../store/refund.repo";
import { refusedButPaid } from "./confirm-refusals";
import type { PaymentDeps } from "./payment-deps";
import { createDuplicateRefund, submitRefund } from "./submit-refund";

/**
 * Duplicate payments whose refund the provider refused (the payer's account frozen, say) and whose next try
 * is due: no refund of theirs on its way, something left to give back, fewer refusals than delays, and the
 * last refusal at least its delay ago.
 */
async function dueDuplicates(deps: PaymentDeps, now: Date): Promise<string[]> {
  const { rows } = await deps.pool.query<{ payment_no: string }>(
    `SELECT p.payment_no FROM payments p
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS refusals, max(completed_at) AS last FROM refunds
       WHERE payment_no = p.payment_no AND cause = 'DUPLICATE_PAYMENT' AND status = 'FAILED'
     ) f
     WHERE p.duplicate AND p.status = 'SUCCEEDED' AND p.refunded_minor < p.paid_minor
       AND f.refusals BETWEEN 1 AND $2
       AND f.last <= $1::timestamptz - ($3::bigint[])[f.refusals] * interval '1 millisecond'
       AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.payment_no = p.payment_no AND r.status = 'PENDING')
     LIMIT 50`,
    [now, REFUND_RETRY_DELAYS_MS.length, [...REFUND_RETRY_DELAYS_MS]],
  );
  return rows.map((r) => r.payment_no);
}

/**
 * Under the payment's lock: a new refund of what is left of a duplicate payment, keyed by its refusals so
 * far; null when one is on its way or nothing is left. The provider is asked about the refusals first: what
 * it paid after all is not left.
 */
async function refundAgain(deps: PaymentDeps, paymentNo: string, now: Date): Promise<string | null> {
  await refusedButPaid(deps, (await findPayment(deps.pool, paymentNo)) as Payment, {
    cause: "DUPLICATE_PAYMENT",
    orderNo: null,
    reason: "DUPLICATE_PAYMENT",
  });
  return withTransaction(deps.pool, async (tx) => {
    const payment = (await findPayment(tx, paymentNo, true)) as Payment;
    const { rows } = await tx.query<{ pending: number; refusals: number }>(
      `SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
         count(*) FILTER (WHERE status = 'FAILED' AND cause = 'DUPLICATE_PAYMENT')::int AS refusals
       FROM refunds WHERE payment_no = $1`,
      [paymentNo],
    );
    const left = payment.paidMinor - payment.refundedMinor;
    const { pending, refusals } = rows[0] as { pending: number; refusals: number };
    if (pending > 0 || left <= 0) return null;
    return createDuplicateRefund(deps, tx, payment, now, refusals, left);
  });
}

/**
 * `payment.retryDuplicateRefund` (an operator, through `POST /admin/refunds/{refundNo}/retry`): asks a
 * duplicate payment's refused refund again now, also after the automatic retries. 404 for a refund that is
 * not a refused duplicate-payment refund; 409 while a refund of that payment is on its way or once it was
 * given back in full.
 */
export async function retryDuplicateRefund(deps: PaymentDeps, refundNo: string) {
  const refund = await findRefund(deps.pool, refundNo);
  if (refund?.cause !== "DUPLICATE_PAYMENT" || refund.status !== "FAILED") {
    throw new OmsError("NOT_FOUND", "No refused refund with this number", { refundNo });
  }
  const retriedAs = await refundAgain(deps, refund.paymentNo, new Date());
  if (!retriedAs) {
    throw new OmsError("INVALID_TRANSITION", "A refund of this payment is on its way or it was given back", {
      refundNo,
      state: "RETRIED",
      event: "retry",
    });
  }
  await submitRefund(deps, retriedAs);
  return { refundNo, retriedAs };
}

/**
 * Asks again, under a new idempotency key, the refunds of duplicate payments the provider refused, with the
 * refund retry backoff (shared/retry/refund-retry.ts); after that only the reconciliation lists them
 * (DUPLICATE_NOT_REFUNDED). Under the payment's lock the payment is read again, so two sweeps never ask twice.
 */
export async function retryDuplicateRefunds(deps: PaymentDeps, now: Date): Promise<number> {
  let asked = 0;
  for (const paymentNo of await dueDuplicates(deps, now)) {
    const refundNo = await refundAgain(deps, paymentNo, now).catch((err: Error) => {
      deps.logger.warn("a duplicate payment's refused refund could not be asked again yet", {
        paymentNo,
        error: err.message,
      });
      return null;
    });
    if (refundNo) {
      await submitRefund(deps, refundNo);
      asked += 1;
    }
  }
  return asked;
}
