import type { PaymentStatus } from "../../../shared/contracts/payment.contract";
import type { Queryable } from "../../../shared/db/pool";
import { type EventEnvelope, outboxInsertSql } from "../../../shared/outbox/outbox";
import type { Payment } from "../domain/payment";

const COLUMNS = `payment_no, parent_order_no, buyer_id, method, provider_payment_no, pay_url, status, amount_minor,
  currency, paid_minor, refunded_minor, duplicate, failure_reason, created_at, paid_at, closed_at`;

// biome-ignore lint/suspicious/noExplicitAny: a pg row
function toPayment(r: any): Payment {
  return {
    paymentNo: r.payment_no,
    parentOrderNo: r.parent_order_no,
    buyerId: r.buyer_id,
    method: r.method,
    providerPaymentNo: r.provider_payment_no,
    payUrl: r.pay_url,
    status: r.status,
    amountMinor: r.amount_minor,
    currency: r.currency,
    paidMinor: r.paid_minor,
    refundedMinor: r.refunded_minor,
    duplicate: r.duplicate,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    paidAt: r.paid_at,
    closedAt: r.closed_at,
  };
}

export async function findPayment(q: Queryable, paymentNo: string, lock = false): Promise<Payment | null> {
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM payments WHERE payment_no = $1${lock ? " FOR UPDATE" : ""}`,
    [paymentNo],
  );
  return rows[0] ? toPayment(rows[0]) : null;
}

/** Every attempt of a checkout, oldest first. */
export async function paymentsOfParent(q: Queryable, parentOrderNo: string): Promise<Payment[]> {
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM payments WHERE parent_order_no = $1 ORDER BY created_at, payment_no`,
    [parentOrderNo],
  );
  return rows.map(toPayment);
}

/** Creates the checkout row if new and locks it: every attempt of one checkout is decided under this lock. */
export async function lockCheckout(q: Queryable, parentOrderNo: string, buyerId?: string): Promise<void> {
  if (buyerId !== undefined) {
    await q.query(
      "INSERT INTO checkouts (parent_order_no, buyer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [parentOrderNo, buyerId],
    );
  }
  await q.query("SELECT 1 FROM checkouts WHERE parent_order_no = $1 FOR UPDATE", [parentOrderNo]);
}

/** The attempt that paid the checkout (not a refunded duplicate), if any. */
export async function paidAttemptNo(q: Queryable, parentOrderNo: string): Promise<string | null> {
  const { rows } = await q.query(
    "SELECT payment_no FROM payments WHERE parent_order_no = $1 AND status = 'SUCCEEDED' AND NOT duplicate",
    [parentOrderNo],
  );
  return rows[0]?.payment_no ?? null;
}

export async function insertPayment(q: Queryable, p: Payment, nextQueryAt: Date): Promise<void> {
  await q.query(
    `INSERT INTO payments (payment_no, parent_order_no, buyer_id, method, provider_payment_no, pay_url, status,
       amount_minor, currency, next_query_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      p.paymentNo,
      p.parentOrderNo,
      p.buyerId,
      p.method,
      p.providerPaymentNo,
      p.payUrl,
      p.status,
      p.amountMinor,
      p.currency,
      nextQueryAt,
      p.createdAt,
    ],
  );
}

/** Closes an open attempt replaced by another; it stays queried, since money may still arrive on it. */
export async function closeAttempt(q: Queryable, paymentNo: string, now: Date): Promise<void> {
  await q.query(
    "UPDATE payments SET status = 'CLOSED', closed_at = $2, updated_at = now() WHERE payment_no = $1 AND status = 'PENDING'",
    [paymentNo, now],
  );
}

/** What a provider result changes on an attempt, written with its events in one statement. */
export interface PaymentTransitionWrite {
  paymentNo: string;
  parentOrderNo: string;
  to: PaymentStatus;
  recordPaid: boolean;
  duplicate: boolean;
  closeOtherAttempts: boolean;
  failureReason: string | null;
  /** When the provider says the money arrived (used when `recordPaid`). */
  paidAt: Date;
  now: Date;
  events: EventEnvelope[];
}

export async function savePaymentTransition(q: Queryable, w: PaymentTransitionWrite): Promise<void> {
  await q.query(
    `WITH updated AS (
       UPDATE payments SET status = $2,
         paid_minor = CASE WHEN $3 THEN amount_minor ELSE paid_minor END,
         paid_at = CASE WHEN $3 THEN $10::timestamptz ELSE paid_at END,
         duplicate = duplicate OR $4, failure_reason = COALESCE($6, failure_reason),
         next_query_at = CASE WHEN $2 = 'SUCCEEDED' THEN NULL ELSE next_query_at END, updated_at = now()
       WHERE payment_no = $1
     ), closed AS (
       UPDATE payments SET status = 'CLOSED', closed_at = $5, updated_at = now()
       WHERE $7 AND parent_order_no = $8 AND status = 'PENDING' AND payment_no <> $1
     ), events AS (${outboxInsertSql("$9")})
     SELECT 1`,
    [
      w.paymentNo,
      w.to,
      w.recordPaid,
      w.duplicate,
      w.now,
      w.failureReason,
      w.closeOtherAttempts,
      w.parentOrderNo,
      JSON.stringify(w.events),
      w.paidAt,
    ],
  );
}
