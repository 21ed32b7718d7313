import type { PaymentStatus } from "../../../shared/contracts/payment.contract";
import type { Queryable } from "../../../shared/db/pool";
import { type EventEnvelope, outboxInsertSql } from "../../../shared/outbox/outbox";
import type { AttemptToClose, Payment } from "../domain/payment";

const COLUMNS = `payment_no, parent_order_no, buyer_id, method, provider_payment_no, pay_url, status, amount_minor,
  currency, paid_minor, refunded_minor, duplicate, failure_reason, created_at, paid_at, closed_at, closed_at_provider`;

/** The attempts a statement's `closed` CTE closed, as one json column (`RETURNING` their provider numbers). */
const CLOSED_JSON = `(SELECT json_agg(json_build_object('paymentNo', payment_no, 'method', method,
  'providerPaymentNo', provider_payment_no)) FROM closed)`;

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
    closedAtProvider: r.closed_at_provider,
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

/**
 * The first attempt of a checkout, in one statement: creates the checkout row and the attempt
 * together. False (nothing written) when the checkout row already exists - then attempts may exist
 * and the caller decides under the checkout's lock. When this statement creates the row, no attempt
 * can exist (they reference it) and a concurrent creator waits on the new key until this commits.
 */
export async function insertFirstAttempt(q: Queryable, p: Payment, nextQueryAt: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `WITH checkout AS (
       INSERT INTO checkouts (parent_order_no, buyer_id) VALUES ($2, $3) ON CONFLICT DO NOTHING
       RETURNING parent_order_no
     )
     INSERT INTO payments (payment_no, parent_order_no, buyer_id, method, provider_payment_no, pay_url, status,
       amount_minor, currency, next_query_at, created_at)
     SELECT $1::text, parent_order_no, $3::text, $4::text, $5::text, $6::text, $7::text, $8::bigint, $9::text,
       $10::timestamptz, $11::timestamptz
     FROM checkout`,
    attemptValues(p, nextQueryAt),
  );
  return rowCount === 1;
}

/** The parameters $1..$11 of an attempt's insert, in column order. */
function attemptValues(p: Payment, nextQueryAt: Date): unknown[] {
  return [
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
  ];
}

/** Locks an existing checkout row; false when there is none yet. */
export async function lockExistingCheckout(q: Queryable, parentOrderNo: string): Promise<boolean> {
  const { rowCount } = await q.query("SELECT 1 FROM checkouts WHERE parent_order_no = $1 FOR UPDATE", [
    parentOrderNo,
  ]);
  return rowCount === 1;
}

/** What deciding a new attempt under the checkout's lock found; `replaced`: the attempt it closed, if any. */
export type AttemptDecision =
  | { paid: true }
  | { paid: false; reused: Payment | null; replaced: AttemptToClose[] };

/**
 * Under the checkout's lock, in one statement: refuses a paid checkout (nothing written), returns
 * the open attempt when it has `p`'s method and amount, else closes the open attempt (if any) and
 * inserts `p`. The close runs before the insert (the insert reads its count), so the partial unique
 * index of open attempts never sees two. A closed attempt owes its provider a close, due (for the
 * sweep) at `closeRetryAt`: the caller requests it at once after commit.
 */
export async function decideAttempt(
  q: Queryable,
  p: Payment,
  nextQueryAt: Date,
  closeRetryAt: Date,
): Promise<AttemptDecision> {
  const { rows } = await q.query(
    `WITH attempts AS (
       SELECT ${COLUMNS} FROM payments WHERE parent_order_no = $2
     ), verdict AS (
       SELECT EXISTS (SELECT 1 FROM attempts WHERE status = 'SUCCEEDED' AND NOT duplicate) AS paid,
         EXISTS (SELECT 1 FROM attempts WHERE status = 'PENDING' AND method = $4 AND amount_minor = $8) AS reuse
     ), closed AS (
       UPDATE payments SET status = 'CLOSED', closed_at = $11, next_close_at = $12, updated_at = now()
       WHERE parent_order_no = $2 AND status = 'PENDING' AND (SELECT NOT paid AND NOT reuse FROM verdict)
       RETURNING payment_no, method, provider_payment_no
     ), inserted AS (
       INSERT INTO payments (payment_no, parent_order_no, buyer_id, method, provider_payment_no, pay_url, status,
         amount_minor, currency, next_query_at, created_at)
       SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::bigint, $9::text,
         $10::timestamptz, $11::timestamptz
       FROM verdict WHERE NOT paid AND NOT reuse AND (SELECT count(*) FROM closed) >= 0
       RETURNING payment_no
     )
     SELECT v.paid, v.reuse, a.*, ${CLOSED_JSON} AS replaced
     FROM verdict v LEFT JOIN attempts a ON v.reuse AND a.status = 'PENDING'`,
    [...attemptValues(p, nextQueryAt), closeRetryAt],
  );
  const r = rows[0];
  if (r.paid) return { paid: true };
  return { paid: false, reused: r.reuse ? toPayment(r) : null, replaced: r.replaced ?? [] };
}

/** Locks the checkout of a payment (found by its number); nothing when there is no such payment. */
export async function lockCheckoutOfPayment(q: Queryable, paymentNo: string): Promise<void> {
  await q.query(
    `SELECT 1 FROM checkouts
     WHERE parent_order_no = (SELECT parent_order_no FROM payments WHERE payment_no = $1) FOR UPDATE`,
    [paymentNo],
  );
}

/**
 * A payment, locked, with the attempt that paid its checkout (not a refunded duplicate) if any.
 * Run under the checkout's lock, so the paying attempt read here cannot change before commit.
 */
export async function lockPaymentWithPaidBy(
  q: Queryable,
  paymentNo: string,
): Promise<{ payment: Payment; paidBy: string | null } | null> {
  const { rows } = await q.query(
    `SELECT ${COLUMNS},
       (SELECT s.payment_no FROM payments s
        WHERE s.parent_order_no = p.parent_order_no AND s.status = 'SUCCEEDED' AND NOT s.duplicate) AS paid_by
     FROM payments p WHERE p.payment_no = $1 FOR UPDATE OF p`,
    [paymentNo],
  );
  return rows[0] ? { payment: toPayment(rows[0]), paidBy: rows[0].paid_by ?? null } : null;
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
  /** When the sweep retries the provider close of an attempt closed here, unless requested at once. */
  closeRetryAt: Date;
  events: EventEnvelope[];
}

const TRANSITION_PARAMS = (w: PaymentTransitionWrite) => [
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
  w.closeRetryAt,
];

/** The transition's CTEs (parameters $1..$11), each applied only when `condition` holds. */
const transitionCtes = (condition: string) => `updated AS (
       UPDATE payments SET status = $2,
         paid_minor = CASE WHEN $3 THEN amount_minor ELSE paid_minor END,
         paid_at = CASE WHEN $3 THEN $10::timestamptz ELSE paid_at END,
         duplicate = duplicate OR $4, failure_reason = COALESCE($6, failure_reason),
         next_query_at = CASE WHEN $2 = 'SUCCEEDED' THEN NULL ELSE next_query_at END, updated_at = now()
       WHERE payment_no = $1 AND ${condition}
     ), closed AS (
       UPDATE payments SET status = 'CLOSED', closed_at = $5, next_close_at = $11, updated_at = now()
       WHERE $7 AND parent_order_no = $8 AND status = 'PENDING' AND payment_no <> $1 AND ${condition}
       RETURNING payment_no, method, provider_payment_no
     ), events AS (${outboxInsertSql("$9")} WHERE ${condition})`;

/**
 * Stores a notification in the inbox and, only when it is new, writes the transition it causes with
 * its events - one statement. `stored` is false when the notification was stored before (nothing
 * written); `closed` lists the other attempts it closed, whose providers are owed a close.
 */
export async function saveNoticedTransition(
  q: Queryable,
  inbox: { sql: string; params: unknown[] },
  w: PaymentTransitionWrite,
): Promise<{ stored: boolean; closed: AttemptToClose[] }> {
  const { rows } = await q.query(
    `WITH notice AS (${inbox.sql}), ${transitionCtes("EXISTS (SELECT 1 FROM notice)")}
     SELECT count(*)::int AS stored, ${CLOSED_JSON} AS closed FROM notice`,
    [...TRANSITION_PARAMS(w), ...inbox.params],
  );
  return { stored: rows[0].stored === 1, closed: rows[0].closed ?? [] };
}
