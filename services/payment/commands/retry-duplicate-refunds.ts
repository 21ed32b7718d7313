import { withTransaction } from "../../../shared/db/pool";
import { REFUND_RETRY_DELAYS_MS } from "../../../shared/retry/refund-retry";
import type { Payment } from "../domain/payment";
import { findPayment } from "../store/payment.repo";
import type { PaymentDeps } from "./payment-deps";
import { createDuplicateRefund, submitRefund } from "./refund-payment";

/**
 * Duplicate payments whose refund the provider refused (the payer's account frozen, say) and whose next try
 * is due: no refund of theirs on its way, something left to give back, fewer refusals than delays, and the
 * last refusal at least its delay ago.
 */
async function dueDuplicates(
  deps: PaymentDeps,
  now: Date,
): Promise<{ paymentNo: string; refusals: number }[]> {
  const { rows } = await deps.pool.query<{ payment_no: string; refusals: number }>(
    `SELECT p.payment_no, f.refusals FROM payments p
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
  return rows.map((r) => ({ paymentNo: r.payment_no, refusals: r.refusals }));
}

/**
 * Asks again, under a new idempotency key, the refunds of duplicate payments the provider refused, with the
 * refund retry backoff (shared/retry/refund-retry.ts); after that only the reconciliation lists them
 * (DUPLICATE_NOT_REFUNDED). Under the payment's lock the payment is read again, so two sweeps never ask twice.
 */
export async function retryDuplicateRefunds(deps: PaymentDeps, now: Date): Promise<number> {
  let asked = 0;
  for (const due of await dueDuplicates(deps, now)) {
    const refundNo = await withTransaction(deps.pool, async (tx) => {
      const payment = (await findPayment(tx, due.paymentNo, true)) as Payment;
      const { rowCount } = await tx.query(
        "SELECT 1 FROM refunds WHERE payment_no = $1 AND status = 'PENDING'",
        [payment.paymentNo],
      );
      const left = payment.paidMinor - payment.refundedMinor;
      if (rowCount !== 0 || left <= 0) return null;
      return createDuplicateRefund(deps, tx, payment, now, due.refusals, left);
    });
    if (refundNo) {
      await submitRefund(deps, refundNo);
      asked += 1;
    }
  }
  return asked;
}
