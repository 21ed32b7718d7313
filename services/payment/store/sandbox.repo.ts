import type { Pool } from "pg";
import { onePerKey, perPool } from "../../../shared/batching/coalescer";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { type Queryable, withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import type { ProviderResult } from "../domain/notice";

/** The sandbox provider's own record of a payment (the third party's side). */
export interface SandboxPayment {
  providerPaymentNo: string;
  method: PaymentMethod;
  paymentNo: string;
  amountMinor: number;
  /** CLOSED: the merchant closed it unpaid; the payer can no longer pay it. */
  status: "PENDING" | ProviderResult | "CLOSED";
  succeededAt: Date | null;
  failedAt: Date | null;
  closedAt: Date | null;
}

export interface SandboxRefund {
  providerRefundNo: string;
  refundNo: string;
  providerPaymentNo: string;
  paymentNo: string;
  amountMinor: number;
  /** SUCCESS, or FAIL when the provider refused it (`failureReason`). */
  status: "SUCCESS" | "FAIL";
  failureReason: string | null;
  completedAt: Date;
}

// biome-ignore lint/suspicious/noExplicitAny: a pg row
const toPayment = (r: any): SandboxPayment => ({
  providerPaymentNo: r.provider_payment_no,
  method: r.method,
  paymentNo: r.payment_no,
  amountMinor: r.amount_minor,
  status: r.status,
  succeededAt: r.succeeded_at,
  failedAt: r.failed_at,
  closedAt: r.closed_at,
});

type NewSandboxPayment = Omit<SandboxPayment, "status" | "succeededAt" | "failedAt" | "closedAt">;

/**
 * Opens sandbox payments in one statement; each answers its new row, or the one already open for its
 * merchant payment number (the first of the batch, for a number asked for twice).
 */
async function openSandboxPayments(pool: Queryable, items: NewSandboxPayment[]): Promise<SandboxPayment[]> {
  const { rows } = await pool.query(
    `WITH a AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS a("providerPaymentNo" text, method text, "paymentNo" text, "amountMinor" bigint)
     ), opened AS (
       INSERT INTO sandbox_payments (provider_payment_no, method, payment_no, amount_minor, status)
       SELECT "providerPaymentNo", method, "paymentNo", "amountMinor", 'PENDING' FROM a
       ORDER BY method, "paymentNo" ON CONFLICT (method, payment_no) DO NOTHING RETURNING *
     )
     SELECT * FROM opened
     UNION ALL
     SELECT s.* FROM sandbox_payments s JOIN a ON s.method = a.method AND s.payment_no = a."paymentNo"
     WHERE NOT EXISTS (SELECT 1 FROM opened o WHERE o.method = a.method AND o.payment_no = a."paymentNo")`,
    [JSON.stringify(items)],
  );
  const byNumber = new Map(rows.map((r) => [`${r.method}:${r.payment_no}`, toPayment(r)]));
  return Promise.all(
    items.map(async (p) => {
      const found = byNumber.get(`${p.method}:${p.paymentNo}`);
      if (found) return found;
      // The conflicting row committed after this statement's snapshot: read it now.
      const again = await pool.query("SELECT * FROM sandbox_payments WHERE method = $1 AND payment_no = $2", [
        p.method,
        p.paymentNo,
      ]);
      return toPayment(again.rows[0]);
    }),
  );
}

/** Opens a sandbox payment (`openSandboxPayments`): payments opened together share one statement. */
export const openSandboxPayment = perPool(openSandboxPayments);

export async function findSandboxPayment(
  pool: Pool,
  providerPaymentNo: string,
): Promise<SandboxPayment | null> {
  const { rows } = await pool.query("SELECT * FROM sandbox_payments WHERE provider_payment_no = $1", [
    providerPaymentNo,
  ]);
  return rows[0] ? toPayment(rows[0]) : null;
}

/** A payer's outcome for `completeSandboxPayment`. */
export interface SandboxCompletionResult {
  providerPaymentNo: string;
  result: ProviderResult;
  at: Date;
  refuseRefunds: number | null;
}

/** What completing found: the row after it, whether it took the result (a CLOSED one does not); null: unknown. */
type Completed = { payment: SandboxPayment; completed: boolean } | null;

const COMPLETE_SQL = `WITH a AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS a("providerPaymentNo" text, result text, at timestamptz, "refuseRefunds" int)
     ), completed AS (
       UPDATE sandbox_payments s SET
         status = CASE WHEN s.status = 'SUCCESS' THEN 'SUCCESS' ELSE a.result END,
         succeeded_at = CASE WHEN a.result = 'SUCCESS' THEN COALESCE(s.succeeded_at, a.at) ELSE s.succeeded_at END,
         failed_at = CASE WHEN a.result = 'FAIL' THEN COALESCE(s.failed_at, a.at) ELSE s.failed_at END,
         refunds_to_refuse = COALESCE(a."refuseRefunds", s.refunds_to_refuse)
       FROM a WHERE s.provider_payment_no = a."providerPaymentNo" AND s.status <> 'CLOSED' RETURNING s.*
     )
     SELECT true AS completed, * FROM completed
     UNION ALL
     SELECT false, s.* FROM sandbox_payments s JOIN a ON s.provider_payment_no = a."providerPaymentNo"
     WHERE NOT EXISTS (SELECT 1 FROM completed c WHERE c.provider_payment_no = a."providerPaymentNo")`;

/**
 * Records payers' outcomes, each for another payment, in one statement: a success is final at the
 * provider too; the first time of each result is kept.
 */
async function completeSandboxPayments(
  pool: Queryable,
  items: SandboxCompletionResult[],
): Promise<Completed[]> {
  const { rows } = await pool.query(COMPLETE_SQL, [JSON.stringify(items)]);
  const found = new Map<string, Completed>(
    rows.map((r) => [r.provider_payment_no, { payment: toPayment(r), completed: r.completed }]),
  );
  return items.map((item) => found.get(item.providerPaymentNo) ?? null);
}

/** A payment completed twice in one batch takes its later result alone after, as one after another. */
const completeInBatches = perPool(
  onePerKey((c: SandboxCompletionResult) => c.providerPaymentNo, completeSandboxPayments),
);

/**
 * Records the payer's outcome (`completeSandboxPayments`; completions asked for together share one
 * statement). A payment the merchant closed takes no result: 409 INVALID_TRANSITION
 * `{state: "CLOSED"}`. Null for an unknown payment.
 */
export async function completeSandboxPayment(
  pool: Queryable,
  completion: SandboxCompletionResult,
): Promise<SandboxPayment | null> {
  const found = await completeInBatches(pool, completion);
  // Found but not completed: the row was (or, under a concurrent close, became) CLOSED.
  if (found && !found.completed) {
    throw new OmsError("INVALID_TRANSITION", "The merchant closed this payment: it can no longer be paid", {
      state: "CLOSED",
      event: "complete",
      providerPaymentNo: completion.providerPaymentNo,
    });
  }
  return found?.payment ?? null;
}

/**
 * Closes a payment at the provider (its closeorder / trade.close): an unpaid one (PENDING or FAIL)
 * becomes CLOSED, keeping the first close time; a paid one stays SUCCESS. One statement, so it and a
 * concurrent completion serialise on the row: whichever comes first wins. Null for an unknown payment.
 */
export async function closeSandboxPayment(
  pool: Pool,
  method: PaymentMethod,
  providerPaymentNo: string,
  at: Date,
): Promise<SandboxPayment | null> {
  const { rows } = await pool.query(
    `UPDATE sandbox_payments SET
       status = CASE WHEN status = 'SUCCESS' THEN 'SUCCESS' ELSE 'CLOSED' END,
       closed_at = CASE WHEN status = 'SUCCESS' THEN closed_at ELSE COALESCE(closed_at, $3) END
     WHERE provider_payment_no = $1 AND method = $2 RETURNING *`,
    [providerPaymentNo, method, at],
  );
  return rows[0] ? toPayment(rows[0]) : null;
}

// biome-ignore lint/suspicious/noExplicitAny: a pg row
const toRefund = (r: any): SandboxRefund => ({
  providerRefundNo: r.provider_refund_no,
  refundNo: r.refund_no,
  providerPaymentNo: r.provider_payment_no,
  paymentNo: r.payment_no,
  amountMinor: r.amount_minor,
  status: r.status,
  failureReason: r.failure_reason,
  completedAt: r.completed_at,
});

const REFUND_SELECT = `SELECT r.*, p.payment_no FROM sandbox_refunds r
  JOIN sandbox_payments p USING (provider_payment_no) WHERE r.method = $1 AND r.refund_no = $2`;

/**
 * Refunds at the sandbox provider, idempotent per refund number; like a real provider it refuses
 * an unpaid payment or a total above what was paid (refused refunds do not count). Completes at once:
 * refused (FAIL, ACCOUNT_ABNORMAL) while the payment has refusals left to give, else SUCCESS.
 */
export async function refundAtSandbox(
  pool: Pool,
  method: PaymentMethod,
  r: Omit<SandboxRefund, "paymentNo" | "status" | "failureReason">,
) {
  return withTransaction(pool, async (tx) => {
    const { rows: paid } = await tx.query(
      "SELECT status, amount_minor, refunds_to_refuse FROM sandbox_payments WHERE provider_payment_no = $1 FOR UPDATE",
      [r.providerPaymentNo],
    );
    const existing = await tx.query(REFUND_SELECT, [method, r.refundNo]);
    if (existing.rows[0]) return toRefund(existing.rows[0]);
    if (paid[0]?.status !== "SUCCESS")
      throw new OmsError("CONFLICT", "TRADE_NOT_PAID", { providerPaymentNo: r.providerPaymentNo });
    const { rows: sum } = await tx.query(
      `SELECT COALESCE(sum(amount_minor), 0) AS total FROM sandbox_refunds
       WHERE provider_payment_no = $1 AND status = 'SUCCESS'`,
      [r.providerPaymentNo],
    );
    if (Number(sum[0].total) + r.amountMinor > paid[0].amount_minor) {
      throw new OmsError("CONFLICT", "REFUND_AMOUNT_EXCEEDED", { providerPaymentNo: r.providerPaymentNo });
    }
    const refuse = paid[0].refunds_to_refuse > 0;
    if (refuse) {
      await tx.query(
        "UPDATE sandbox_payments SET refunds_to_refuse = refunds_to_refuse - 1 WHERE provider_payment_no = $1",
        [r.providerPaymentNo],
      );
    }
    await tx.query(
      `INSERT INTO sandbox_refunds (provider_refund_no, method, refund_no, provider_payment_no, amount_minor, status,
         failure_reason, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        r.providerRefundNo,
        method,
        r.refundNo,
        r.providerPaymentNo,
        r.amountMinor,
        refuse ? "FAIL" : "SUCCESS",
        refuse ? "ACCOUNT_ABNORMAL" : null,
        r.completedAt,
      ],
    );
    return toRefund((await tx.query(REFUND_SELECT, [method, r.refundNo])).rows[0]);
  });
}

export async function findSandboxRefund(pool: Pool, method: PaymentMethod, refundNo: string) {
  const { rows } = await pool.query(REFUND_SELECT, [method, refundNo]);
  return rows[0] ? toRefund(rows[0]) : null;
}
