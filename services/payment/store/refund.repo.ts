import type { RefundStatus } from "../../../shared/contracts/payment.contract";
import type { Queryable } from "../../../shared/db/pool";
import { type EventEnvelope, outboxInsertSql } from "../../../shared/outbox/outbox";
import type { Refund } from "../domain/payment";

const COLUMNS = `refund_no, payment_no, order_no, amount_minor, reason, cause, idempotency_key, status,
  provider_refund_no, created_at, completed_at`;

// biome-ignore lint/suspicious/noExplicitAny: a pg row
function toRefund(r: any): Refund {
  return {
    refundNo: r.refund_no,
    paymentNo: r.payment_no,
    orderNo: r.order_no,
    amountMinor: r.amount_minor,
    reason: r.reason,
    cause: r.cause,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    providerRefundNo: r.provider_refund_no,
    createdAt: r.created_at,
    completedAt: r.completed_at,
  };
}

export async function findRefund(q: Queryable, refundNo: string, lock = false): Promise<Refund | null> {
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM refunds WHERE refund_no = $1${lock ? " FOR UPDATE" : ""}`,
    [refundNo],
  );
  return rows[0] ? toRefund(rows[0]) : null;
}

export async function findRefundByKey(q: Queryable, paymentNo: string, key: string): Promise<Refund | null> {
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM refunds WHERE payment_no = $1 AND idempotency_key = $2`,
    [paymentNo, key],
  );
  return rows[0] ? toRefund(rows[0]) : null;
}

/** The refunds of some attempts, oldest first. */
export async function refundsOf(q: Queryable, paymentNos: string[]): Promise<Refund[]> {
  if (paymentNos.length === 0) return [];
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM refunds WHERE payment_no = ANY($1::text[]) ORDER BY created_at, refund_no`,
    [paymentNos],
  );
  return rows.map(toRefund);
}

/** What a refund was for: a refused one is asked again as a new refund of the same purpose. */
export interface RefundPurpose {
  cause: Refund["cause"];
  orderNo: string | null;
  reason: string;
}

/**
 * The payment's refunds of one purpose the provider refused, oldest first: those still FAILED, and those it
 * paid after all (SUCCEEDED, their refusal's reason kept).
 */
export async function refusalsOf(q: Queryable, paymentNo: string, purpose: RefundPurpose): Promise<Refund[]> {
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM refunds
     WHERE payment_no = $1 AND cause = $2 AND order_no IS NOT DISTINCT FROM $3 AND reason = $4
       AND (status = 'FAILED' OR (status = 'SUCCEEDED' AND failure_reason IS NOT NULL))
     ORDER BY created_at, refund_no`,
    [paymentNo, purpose.cause, purpose.orderNo, purpose.reason],
  );
  return rows.map(toRefund);
}

/**
 * Records a refund and commits its amount against the payment in one statement. The conditional
 * UPDATE (refunded + amount <= paid) is the database's own guard; false when it did not fit.
 */
export async function insertRefund(q: Queryable, r: Refund, nextQueryAt: Date): Promise<boolean> {
  const { rows } = await q.query(
    `WITH committed AS (
       UPDATE payments SET refunded_minor = refunded_minor + $4, updated_at = now()
       WHERE payment_no = $2 AND refunded_minor + $4 <= paid_minor RETURNING payment_no
     )
     INSERT INTO refunds (refund_no, payment_no, order_no, amount_minor, reason, cause, idempotency_key, status,
       next_query_at, created_at)
     SELECT $1, payment_no, $3, $4, $5, $6, $7, 'PENDING', $8, $9 FROM committed
     RETURNING refund_no`,
    [
      r.refundNo,
      r.paymentNo,
      r.orderNo,
      r.amountMinor,
      r.reason,
      r.cause,
      r.idempotencyKey,
      nextQueryAt,
      r.createdAt,
    ],
  );
  return rows.length === 1;
}

/** The provider accepted the refund under its own number. */
export async function setProviderRefundNo(
  q: Queryable,
  refundNo: string,
  providerRefundNo: string,
): Promise<void> {
  await q.query(
    "UPDATE refunds SET provider_refund_no = $2 WHERE refund_no = $1 AND provider_refund_no IS NULL",
    [refundNo, providerRefundNo],
  );
}

/** A refund's new state, the payment's refundable balance change and the events, in one statement. */
export interface RefundTransitionWrite {
  refundNo: string;
  paymentNo: string;
  to: RefundStatus;
  /** Added to the payment's committed refunds: -amount when released, +amount when reclaimed. */
  committedDelta: number;
  providerRefundNo: string;
  failureReason: string | null;
  now: Date;
  events: EventEnvelope[];
}

/**
 * Writes a refund transition. A refused refund the provider pays after all takes its amount again only as far
 * as the payment has it: when another refund paid the same money meanwhile, the refund is recorded as paid
 * (it was) and the refundable balance stays at zero; the day's reconciliation reports the payment
 * OVER_REFUNDED from the refund rows.
 */
export async function saveRefundTransition(q: Queryable, w: RefundTransitionWrite): Promise<void> {
  await q.query(
    `WITH refund AS (
       UPDATE refunds SET status = $2, completed_at = $5, provider_refund_no = COALESCE(provider_refund_no, $4),
         failure_reason = COALESCE($6, failure_reason), next_query_at = NULL
       WHERE refund_no = $1
     ), payment AS (
       UPDATE payments SET refunded_minor = LEAST(paid_minor, refunded_minor + $7), updated_at = now()
       WHERE $7 <> 0 AND payment_no = $3
     ), events AS (${outboxInsertSql("$8")})
     SELECT 1`,
    [
      w.refundNo,
      w.to,
      w.paymentNo,
      w.providerRefundNo,
      w.now,
      w.failureReason,
      w.committedDelta,
      JSON.stringify(w.events),
    ],
  );
}
