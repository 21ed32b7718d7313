import type { Pool } from "pg";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { deleteInChunks, type Queryable } from "../../../shared/db/pool";
import type { NoticeSource, ProviderNotice } from "../domain/notice";

/** The types of the inbox row's parameters, in column order (a conditional insert selects them). */
const NOTICE_TYPES = ["text", "text", "text", "text", "text", "bigint", "text", "text", "text"];

/**
 * The inbox insert of a notification, its parameters numbered from `$<first>`; returns a row when
 * stored. With `when`, it inserts only when that SQL condition holds.
 */
export function noticeInsert(
  first: number,
  provider: PaymentMethod,
  notice: ProviderNotice,
  source: NoticeSource,
  rawBody: string,
  outcome: string,
  when?: string,
): { sql: string; params: unknown[] } {
  const values = NOTICE_TYPES.map((type, i) => `$${first + i}${when ? `::${type}` : ""}`).join(", ");
  return {
    sql: `INSERT INTO provider_notifications (provider, notification_id, kind, subject_no, result, amount_minor, source,
       raw_body, outcome)
     ${when ? `SELECT ${values} WHERE ${when}` : `VALUES (${values})`} ON CONFLICT DO NOTHING RETURNING 1 AS stored`,
    params: [
      provider,
      notice.notificationId,
      notice.kind,
      notice.kind === "PAYMENT" ? notice.paymentNo : notice.refundNo,
      notice.result,
      notice.amountMinor,
      source,
      rawBody,
      outcome,
    ],
  };
}

/**
 * Stores a provider notification in the inbox, keyed by (provider, notification id), with what it
 * did. False when that notification was stored before: a duplicate or a replay, to be ignored. A
 * concurrent duplicate waits on the key until the first commits, then finds it.
 */
export async function storeNotice(
  q: Queryable,
  provider: PaymentMethod,
  notice: ProviderNotice,
  source: NoticeSource,
  rawBody: string,
  outcome: string,
): Promise<boolean> {
  const { sql, params } = noticeInsert(1, provider, notice, source, rawBody, outcome);
  const { rowCount } = await q.query(sql, params);
  return rowCount === 1;
}

/** Deletes notifications received before `olderThan`, in chunks (`deleteInChunks`); returns the count. */
export function purgeNotices(pool: Pool, olderThan: Date, chunk = 10_000): Promise<number> {
  return deleteInChunks(pool, "provider_notifications", "received_at < $1", olderThan, chunk);
}
