import type { Pool } from "pg";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { deleteInChunks, type Queryable } from "../../../shared/db/pool";
import type { NoticeSource, ProviderNotice } from "../domain/notice";

/** A notification's inbox row: the columns of `provider_notifications`, in order. */
export interface NoticeRow {
  provider: PaymentMethod;
  notification_id: string;
  kind: ProviderNotice["kind"];
  subject_no: string;
  result: string;
  amount_minor: number;
  source: NoticeSource;
  raw_body: string;
  outcome: string;
}

/** The types of the inbox row's columns, in order (a conditional insert selects them). */
const NOTICE_TYPES = ["text", "text", "text", "text", "text", "bigint", "text", "text", "text"];

/** The inbox row of a notification, with what it did (`outcome`). */
export function noticeRow(
  provider: PaymentMethod,
  notice: ProviderNotice,
  source: NoticeSource,
  rawBody: string,
  outcome: string,
): NoticeRow {
  return {
    provider,
    notification_id: notice.notificationId,
    kind: notice.kind,
    subject_no: notice.kind === "PAYMENT" ? notice.paymentNo : notice.refundNo,
    result: notice.result,
    amount_minor: notice.amountMinor,
    source,
    raw_body: rawBody,
    outcome,
  };
}

/**
 * The insert of an inbox row, its parameters numbered from `$<first>`; returns a row when stored.
 * With `when`, it inserts only when that SQL condition holds.
 */
export function noticeInsert(
  first: number,
  row: NoticeRow,
  when?: string,
): { sql: string; params: unknown[] } {
  const values = NOTICE_TYPES.map((type, i) => `$${first + i}${when ? `::${type}` : ""}`).join(", ");
  return {
    sql: `INSERT INTO provider_notifications (${Object.keys(row).join(", ")})
     ${when ? `SELECT ${values} WHERE ${when}` : `VALUES (${values})`} ON CONFLICT DO NOTHING RETURNING 1 AS stored`,
    params: Object.values(row),
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
  const { sql, params } = noticeInsert(1, noticeRow(provider, notice, source, rawBody, outcome));
  const { rowCount } = await q.query(sql, params);
  return rowCount === 1;
}

/** Deletes notifications received before `olderThan`, in chunks (`deleteInChunks`); returns the count. */
export function purgeNotices(pool: Pool, olderThan: Date, chunk = 10_000): Promise<number> {
  return deleteInChunks(pool, "provider_notifications", "received_at < $1", olderThan, chunk);
}
