import type { Queryable } from "../../../shared/db/pool";
import type { CloseOutcome } from "../providers/provider";

/**
 * Records the provider's answer to a close; nothing more is owed. CLOSED stamps `closed_at_provider`
 * (the first time is kept) and stops querying a CLOSED attempt: nobody can pay it any more.
 * ALREADY_PAID means the payer was first: a CLOSED attempt is queried at once, so its money is
 * applied (and paid or refunded as a duplicate) without waiting for the callback or the backoff.
 */
export async function recordClose(q: Queryable, paymentNo: string, outcome: CloseOutcome, at: Date) {
  await q.query(
    `UPDATE payments SET close_result = $2::text, next_close_at = NULL, close_error = NULL,
       closed_at_provider = CASE WHEN $2 = 'CLOSED' THEN COALESCE(closed_at_provider, $3::timestamptz)
         ELSE closed_at_provider END,
       next_query_at = CASE WHEN status <> 'CLOSED' THEN next_query_at WHEN $2 = 'CLOSED' THEN NULL ELSE $3 END,
       updated_at = now()
     WHERE payment_no = $1`,
    [paymentNo, outcome, at],
  );
}

/**
 * Keeps the last failed close's error for operators while the close is still owed (not once another
 * try got an answer); the retry stays scheduled by `next_close_at`.
 */
export async function recordCloseFailure(q: Queryable, paymentNo: string, error: string) {
  await q.query(
    `UPDATE payments SET close_error = $2, updated_at = now()
     WHERE payment_no = $1 AND close_result IS NULL`,
    [paymentNo, error.slice(0, 1000)],
  );
}
