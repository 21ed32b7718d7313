import type { PoolClient } from "pg";
import type { RefundFailedPayload } from "../../../shared/contracts/payment.contract";
import type { Queryable } from "../../../shared/db/pool";
import { refundRetryAt } from "../../../shared/retry/refund-retry";

/** A refused refund to ask again. */
export interface RefundRetry {
  refusedRefundNo: string;
  parentOrderNo: string;
  orderNo: string | null;
  amountMinor: number;
  reason: string;
}

/**
 * Records a refusal (once per refund), counting the refusals of the same purpose (checkout, child order,
 * reason) under the checkout's lock, with when to ask again: null once the automatic retries are used up.
 */
export async function scheduleRefundRetry(tx: PoolClient, r: RefundFailedPayload, reason: string, now: Date) {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('refund-retry:' || $1))", [r.parentOrderNo]);
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM refund_retries
     WHERE parent_order_no = $1 AND order_no IS NOT DISTINCT FROM $2 AND reason = $3`,
    [r.parentOrderNo, r.orderNo, reason],
  );
  const refusals = (rows[0]?.n ?? 0) + 1;
  await tx.query(
    `INSERT INTO refund_retries (refused_refund_no, parent_order_no, order_no, amount_minor, reason, refusals, due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [r.refundNo, r.parentOrderNo, r.orderNo, r.amountMinor, reason, refusals, refundRetryAt(refusals, now)],
  );
}

// biome-ignore lint/suspicious/noExplicitAny: a pg row
const toRetry = (r: any): RefundRetry => ({
  refusedRefundNo: r.refused_refund_no,
  parentOrderNo: r.parent_order_no,
  orderNo: r.order_no,
  amountMinor: Number(r.amount_minor),
  reason: r.reason,
});

/** Refusals whose retry is due. */
export async function dueRefundRetries(q: Queryable, now: Date): Promise<RefundRetry[]> {
  const { rows } = await q.query(
    `SELECT refused_refund_no, parent_order_no, order_no, amount_minor, reason FROM refund_retries
     WHERE retried_as IS NULL AND due_at <= $1 ORDER BY due_at LIMIT 100`,
    [now],
  );
  return rows.map(toRetry);
}

/** The refusal was asked again as `refundNo`. */
export async function markRetried(q: Queryable, refusedRefundNo: string, refundNo: string): Promise<void> {
  await q.query("UPDATE refund_retries SET retried_as = $2 WHERE refused_refund_no = $1", [
    refusedRefundNo,
    refundNo,
  ]);
}

/**
 * An operator asks a refused refund again now (also once the automatic retries are used up): answers the
 * refusal, or null when there is no such refusal of an order-level refund; `retriedAs` set means it was
 * already asked again.
 */
export async function dueNow(
  q: Queryable,
  refusedRefundNo: string,
  now: Date,
): Promise<(RefundRetry & { retriedAs: string | null }) | null> {
  const { rows } = await q.query(
    `UPDATE refund_retries SET due_at = CASE WHEN retried_as IS NULL THEN $2 ELSE due_at END
     WHERE refused_refund_no = $1
     RETURNING refused_refund_no, parent_order_no, order_no, amount_minor, reason, retried_as`,
    [refusedRefundNo, now],
  );
  const r = rows[0];
  return r ? { ...toRetry(r), retriedAs: r.retried_as } : null;
}
