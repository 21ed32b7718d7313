import { onePerKey, perPool } from "../../../shared/batching/coalescer";
import { keyedReader } from "../../../shared/batching/keyed-reader";
import type { Queryable } from "../../../shared/db/pool";
import type { AttemptToClose, Payment } from "../domain/payment";

const COLUMNS = `payment_no, parent_order_no, buyer_id, method, provider_payment_no, pay_url, status, amount_minor,
  currency, paid_minor, refunded_minor, duplicate, failure_reason, created_at, paid_at, closed_at, closed_at_provider`;
/** The columns of the payments row aliased `p` (in a join with `checkouts`, which shares some names). */
const P_COLUMNS = COLUMNS.replace(/(\w+)/g, "p.$1");

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

/** A checkout's attempts, oldest first, with the checkout's version (null: no checkout row yet). */
export interface CheckoutAttempts {
  version: number | null;
  attempts: Payment[];
}

/**
 * Checkouts' attempts with their versions, in one statement: what a new attempt is decided from
 * without the checkout's lock. A checkout without a row has no entry.
 */
export async function checkoutsAttempts(
  q: Queryable,
  parentOrderNos: string[],
): Promise<Map<string, CheckoutAttempts>> {
  const { rows } = await q.query(
    `SELECT c.parent_order_no AS checkout_no, c.version, ${P_COLUMNS}
     FROM checkouts c LEFT JOIN payments p USING (parent_order_no)
     WHERE c.parent_order_no = ANY($1) ORDER BY p.created_at, p.payment_no`,
    [parentOrderNos],
  );
  const found = new Map<string, CheckoutAttempts>();
  for (const r of rows) {
    const checkout: CheckoutAttempts = found.get(r.checkout_no) ?? { version: r.version, attempts: [] };
    if (r.payment_no !== null) checkout.attempts.push(toPayment(r));
    found.set(r.checkout_no, checkout);
  }
  return found;
}

/** A checkout's attempts (`checkoutsAttempts`); the reads of concurrent payment requests share one statement. */
export const readCheckoutAttempts = keyedReader<string, CheckoutAttempts>(checkoutsAttempts, () => ({
  version: null,
  attempts: [],
}));

/** Creates the checkout row if new and locks it (every attempt of one checkout is decided under this lock); its version. */
export async function lockCheckout(q: Queryable, parentOrderNo: string, buyerId: string): Promise<number> {
  await q.query("INSERT INTO checkouts (parent_order_no, buyer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
    parentOrderNo,
    buyerId,
  ]);
  return (await lockExistingCheckout(q, parentOrderNo)) as number;
}

/** A checkout's first attempt, for `insertFirstAttempt`. */
export interface FirstAttempt {
  payment: Payment;
  nextQueryAt: Date;
}

/**
 * First attempts of checkouts, each of another checkout, in one statement: creates each checkout row
 * and its attempt together. Per item, false (nothing written) when the checkout row already exists -
 * then attempts may exist and the caller decides under the checkout's lock. When this statement
 * creates the row, no attempt can exist (they reference it) and a concurrent creator waits on the
 * new key until this commits.
 */
async function insertFirstAttempts(q: Queryable, items: FirstAttempt[]): Promise<boolean[]> {
  const attempts = items.map(({ payment: p, nextQueryAt }) => ({
    payment_no: p.paymentNo,
    parent_order_no: p.parentOrderNo,
    buyer_id: p.buyerId,
    method: p.method,
    provider_payment_no: p.providerPaymentNo,
    pay_url: p.payUrl,
    status: p.status,
    amount_minor: p.amountMinor,
    currency: p.currency,
    next_query_at: nextQueryAt,
    created_at: p.createdAt,
  }));
  const { rows } = await q.query<{ payment_no: string }>(
    `WITH a AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS a(payment_no text, parent_order_no text, buyer_id text,
         method text, provider_payment_no text, pay_url text, status text, amount_minor bigint, currency text,
         next_query_at timestamptz, created_at timestamptz)
     ), checkout AS (
       INSERT INTO checkouts (parent_order_no, buyer_id) SELECT parent_order_no, buyer_id FROM a
       ORDER BY parent_order_no ON CONFLICT DO NOTHING RETURNING parent_order_no
     )
     INSERT INTO payments (payment_no, parent_order_no, buyer_id, method, provider_payment_no, pay_url, status,
       amount_minor, currency, next_query_at, created_at)
     SELECT a.payment_no, a.parent_order_no, a.buyer_id, a.method, a.provider_payment_no, a.pay_url, a.status,
       a.amount_minor, a.currency, a.next_query_at, a.created_at
     FROM a JOIN checkout USING (parent_order_no)
     RETURNING payment_no`,
    [JSON.stringify(attempts)],
  );
  const written = new Set(rows.map((r) => r.payment_no));
  return items.map((item) => written.has(item.payment.paymentNo));
}

/**
 * A checkout's first attempt (`insertFirstAttempts`): those of different checkouts asked for
 * together share one statement; a second one of the same checkout goes alone after it, and finds
 * the checkout row there.
 */
export const insertFirstAttempt = perPool(
  onePerKey((a: FirstAttempt) => a.payment.parentOrderNo, insertFirstAttempts),
);

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

/** Locks an existing checkout row; its version, null when there is none yet. */
export async function lockExistingCheckout(q: Queryable, parentOrderNo: string): Promise<number | null> {
  const { rows } = await q.query("SELECT version FROM checkouts WHERE parent_order_no = $1 FOR UPDATE", [
    parentOrderNo,
  ]);
  return rows[0]?.version ?? null;
}

/**
 * The CTE `guard` of a statement that writes a decision about a checkout taken from what was read at
 * `version` (parameters: the parent order number, the version): it bumps the version and takes the
 * checkout's lock, and is empty - so the statement writes nothing - when the checkout changed since.
 * Passed, the statement's snapshot is the checkout's latest state: any later change waits for its commit.
 */
export const guardSql = (parentParam: string, versionParam: string) => `guard AS (
       UPDATE checkouts SET version = version + 1
       WHERE parent_order_no = ${parentParam} AND version = ${versionParam}::bigint RETURNING 1
     )`;

/**
 * What deciding a new attempt found. `replaced`: the attempts it closed, each owing its provider a
 * close - the open or failed attempt it replaced, and the new attempt itself when it lost (the
 * checkout was paid, or a concurrent twin opened the same attempt first).
 */
export type AttemptDecision = { paid: boolean; reused: Payment | null; replaced: AttemptToClose[] };

/**
 * In one statement, while the checkout is still at `version` (under its lock, or read just before):
 * returns the open attempt when it has `p`'s method and amount, else closes the open or failed
 * attempt (if any) and inserts `p` as the open one. The close runs before the insert (the insert
 * reads its count), so the partial unique index of open attempts never sees two. When the checkout
 * is paid, or the open attempt is reused, `p` - already opened at its provider - is inserted CLOSED
 * instead, so it is closed there too and nobody can pay it. A closed attempt owes its provider a
 * close, due (for the sweep) at `closeRetryAt`: the caller requests it at once after commit. Null,
 * nothing written, when the checkout changed since `version`.
 */
export async function decideAttempt(
  q: Queryable,
  p: Payment,
  nextQueryAt: Date,
  closeRetryAt: Date,
  version: number,
): Promise<AttemptDecision | null> {
  const { rows } = await q.query(
    `WITH ${guardSql("$2", "$13")}, attempts AS (
       SELECT ${COLUMNS} FROM payments WHERE parent_order_no = $2
     ), verdict AS (
       SELECT EXISTS (SELECT 1 FROM guard) AS current,
         EXISTS (SELECT 1 FROM attempts WHERE status = 'SUCCEEDED' AND NOT duplicate) AS paid,
         EXISTS (SELECT 1 FROM attempts WHERE status = 'PENDING' AND method = $4 AND amount_minor = $8) AS reuse
     ), closed AS (
       UPDATE payments SET status = 'CLOSED', closed_at = $11, next_close_at = $12, updated_at = now()
       WHERE parent_order_no = $2 AND status IN ('PENDING', 'FAILED')
         AND (SELECT current AND NOT paid AND NOT reuse FROM verdict)
       RETURNING payment_no, method, provider_payment_no
     ), inserted AS (
       INSERT INTO payments (payment_no, parent_order_no, buyer_id, method, provider_payment_no, pay_url, status,
         amount_minor, currency, next_query_at, created_at, closed_at, next_close_at)
       SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text,
         CASE WHEN lost THEN 'CLOSED' ELSE $7::text END, $8::bigint, $9::text,
         CASE WHEN lost THEN NULL ELSE $10::timestamptz END, $11::timestamptz,
         CASE WHEN lost THEN $11::timestamptz END, CASE WHEN lost THEN $12::timestamptz END
       FROM (SELECT current, paid OR reuse AS lost FROM verdict) v
       WHERE current AND (SELECT count(*) FROM closed) >= 0
       RETURNING payment_no, method, provider_payment_no, status
     ), to_close AS (
       SELECT payment_no, method, provider_payment_no FROM closed
       UNION ALL SELECT payment_no, method, provider_payment_no FROM inserted WHERE status = 'CLOSED'
     )
     SELECT v.current, v.paid, v.reuse, a.*,
       (SELECT json_agg(json_build_object('paymentNo', payment_no, 'method', method,
          'providerPaymentNo', provider_payment_no)) FROM to_close) AS replaced
     FROM verdict v LEFT JOIN attempts a ON v.reuse AND a.status = 'PENDING'`,
    [...attemptValues(p, nextQueryAt), closeRetryAt, version],
  );
  const r = rows[0];
  if (!r.current) return null;
  return { paid: r.paid, reused: r.reuse && !r.paid ? toPayment(r) : null, replaced: r.replaced ?? [] };
}

/** Locks the checkout of a payment (found by its number); nothing when there is no such payment. */
export async function lockCheckoutOfPayment(q: Queryable, paymentNo: string): Promise<void> {
  await q.query(
    `SELECT 1 FROM checkouts
     WHERE parent_order_no = (SELECT parent_order_no FROM payments WHERE payment_no = $1) FOR UPDATE`,
    [paymentNo],
  );
}

/** A payment as a notice finds it: with the attempt that paid its checkout and the checkout's version. */
export interface PaymentWithPaidBy {
  payment: Payment;
  /** The attempt that paid the checkout (not a refunded duplicate), if any. */
  paidBy: string | null;
  version: number;
}

/**
 * A payment with the attempt that paid its checkout and the checkout's version, in one statement.
 * Under the checkout's lock (`lock`: the payment's row is locked too) nothing read here can change
 * before commit; without it, a write conditional on `version` (`guardSql`) finds out if it did.
 */
export async function paymentWithPaidBy(
  q: Queryable,
  paymentNo: string,
  lock: boolean,
): Promise<PaymentWithPaidBy | null> {
  return (await paymentsWithPaidBy(q, [paymentNo], lock)).get(paymentNo) ?? null;
}

/** `paymentWithPaidBy` for several payments in one statement; an unknown payment has no entry. */
export async function paymentsWithPaidBy(
  q: Queryable,
  paymentNos: string[],
  lock = false,
): Promise<Map<string, PaymentWithPaidBy>> {
  const { rows } = await q.query(
    `SELECT ${P_COLUMNS}, c.version,
       (SELECT s.payment_no FROM payments s
        WHERE s.parent_order_no = p.parent_order_no AND s.status = 'SUCCEEDED' AND NOT s.duplicate) AS paid_by
     FROM payments p JOIN checkouts c USING (parent_order_no)
     WHERE p.payment_no = ANY($1)${lock ? " FOR UPDATE OF p" : ""}`,
    [paymentNos],
  );
  return new Map(
    rows.map((r) => [r.payment_no, { payment: toPayment(r), paidBy: r.paid_by ?? null, version: r.version }]),
  );
}

/** A payment as a notice finds it without a lock; the reads of concurrent notices share one statement. */
export const readPaymentWithPaidBy = keyedReader<string, PaymentWithPaidBy | null>(
  paymentsWithPaidBy,
  () => null,
);
