import type { Pool } from "pg";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { withTransaction } from "../../../shared/db/pool";

/** Something due at its provider: a payment attempt or a refund to query, or an attempt to close. */
export interface DueItem {
  no: string;
  method: PaymentMethod;
  providerNo: string | null;
  /** When it started: created, or for a close, when the attempt was closed (the backoff counts from it). */
  createdAt: Date;
  attempts: number;
}

/** Payments and refunds to query (`next_query_at`), CLOSED attempts to close at the provider (`next_close_at`). */
export type DueKind = "payments" | "refunds" | "closes";

const DUE_SQL: Record<DueKind, string> = {
  payments: `SELECT payment_no AS no, method, provider_payment_no AS provider_no, created_at, query_attempts
    FROM payments WHERE next_query_at <= $1 ORDER BY next_query_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
  refunds: `SELECT r.refund_no AS no, p.method, r.provider_refund_no AS provider_no, r.created_at, r.query_attempts
    FROM refunds r JOIN payments p USING (payment_no)
    WHERE r.next_query_at <= $1 ORDER BY r.next_query_at LIMIT $2 FOR UPDATE OF r SKIP LOCKED`,
  closes: `SELECT payment_no AS no, method, provider_payment_no AS provider_no, closed_at AS created_at,
      close_attempts AS query_attempts
    FROM payments WHERE next_close_at <= $1 ORDER BY next_close_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
};

const RESCHEDULE_SQL: Record<DueKind, string> = {
  payments: `UPDATE payments p SET next_query_at = x.next, query_attempts = p.query_attempts + 1
    FROM unnest($1::text[], $2::timestamptz[]) AS x(no, next) WHERE p.payment_no = x.no`,
  refunds: `UPDATE refunds r SET next_query_at = x.next, query_attempts = r.query_attempts + 1
    FROM unnest($1::text[], $2::timestamptz[]) AS x(no, next) WHERE r.refund_no = x.no`,
  closes: `UPDATE payments p SET next_close_at = x.next, close_attempts = p.close_attempts + 1
    FROM unnest($1::text[], $2::timestamptz[]) AS x(no, next) WHERE p.payment_no = x.no`,
};

/**
 * Claims up to `limit` due rows and moves each one's next query to `next(item)` (null stops
 * querying), in one transaction; SKIP LOCKED lets several pods share the work.
 */
export async function claimDue(
  pool: Pool,
  kind: DueKind,
  now: Date,
  limit: number,
  next: (item: DueItem) => Date | null,
): Promise<DueItem[]> {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query(DUE_SQL[kind], [now, limit]);
    const items: DueItem[] = rows.map((r) => ({
      no: r.no,
      method: r.method,
      providerNo: r.provider_no,
      createdAt: r.created_at,
      attempts: r.query_attempts + 1,
    }));
    if (items.length > 0) {
      await tx.query(RESCHEDULE_SQL[kind], [items.map((i) => i.no), items.map((i) => next(i))]);
    }
    return items;
  });
}
