import { onePerKey, perPool } from "../../../shared/batching/coalescer";
import type { PaymentStatus } from "../../../shared/contracts/payment.contract";
import type { Queryable } from "../../../shared/db/pool";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import type { AttemptToClose } from "../domain/payment";
import { type NoticeRow, noticeInsert } from "./notice.repo";

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

/**
 * What writing a notice found. `current` false: the checkout changed since it was read (nothing
 * written, decide again under its lock). `stored` false: the notification was stored before (a
 * duplicate or a replay; nothing written). `closed`: the other attempts the transition closed,
 * whose providers are owed a close.
 */
export interface NoticeWrite {
  current: boolean;
  stored: boolean;
  closed: AttemptToClose[];
}

/** A transition to write with its notice while the checkout is still at `version`. */
export interface NoticedTransition {
  transition: PaymentTransitionWrite;
  notice: NoticeRow;
  version: number;
}

/**
 * One statement for many notices, each of another checkout, while each checkout is still at the
 * version its notice was decided on: stores each notice in the inbox and, only when it is new,
 * writes the transition it causes with its events and bumps the checkout's version. Answers, per
 * item, what `NoticeWrite` says.
 */
export async function saveNoticedTransitions(
  q: Queryable,
  items: NoticedTransition[],
): Promise<NoticeWrite[]> {
  // In checkout order, so batches that meet lock their checkouts in the same order (answers by `ord`).
  const input = items
    .map(({ transition: w, notice, version }, ord) => ({ ...w, ord, notice, version }))
    .sort((x, y) => (x.parentOrderNo < y.parentOrderNo ? -1 : x.parentOrderNo > y.parentOrderNo ? 1 : 0));
  const { rows } = await q.query<{ current: boolean; stored: boolean; closed: AttemptToClose[] | null }>(
    `WITH a AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS a(ord int, "paymentNo" text, "parentOrderNo" text, "to" text,
         "recordPaid" boolean, duplicate boolean, "closeOtherAttempts" boolean, "failureReason" text,
         "paidAt" timestamptz, now timestamptz, "closeRetryAt" timestamptz, events jsonb, notice jsonb, version bigint)
     ), guard AS (
       UPDATE checkouts c SET version = c.version + 1 FROM a
       WHERE c.parent_order_no = a."parentOrderNo" AND c.version = a.version RETURNING a.ord
     ), notice AS (
       INSERT INTO provider_notifications (provider, notification_id, kind, subject_no, result, amount_minor, source,
         raw_body, outcome)
       SELECT n.* FROM a JOIN guard USING (ord), jsonb_to_record(a.notice) AS n(provider text, notification_id text,
         kind text, subject_no text, result text, amount_minor bigint, source text, raw_body text, outcome text)
       ON CONFLICT DO NOTHING RETURNING provider, notification_id
     ), stored AS (
       SELECT a.* FROM a JOIN notice n
         ON n.provider = a.notice->>'provider' AND n.notification_id = a.notice->>'notification_id'
     ), updated AS (
       UPDATE payments p SET status = s."to",
         paid_minor = CASE WHEN s."recordPaid" THEN p.amount_minor ELSE p.paid_minor END,
         paid_at = CASE WHEN s."recordPaid" THEN s."paidAt" ELSE p.paid_at END,
         duplicate = p.duplicate OR s.duplicate, failure_reason = COALESCE(s."failureReason", p.failure_reason),
         next_query_at = CASE WHEN s."to" = 'SUCCEEDED' THEN NULL ELSE p.next_query_at END, updated_at = now()
       FROM stored s WHERE p.payment_no = s."paymentNo"
     ), closed AS (
       UPDATE payments p SET status = 'CLOSED', closed_at = s.now, next_close_at = s."closeRetryAt", updated_at = now()
       FROM stored s WHERE s."closeOtherAttempts" AND p.parent_order_no = s."parentOrderNo"
         AND p.status IN ('PENDING', 'FAILED') AND p.payment_no <> s."paymentNo"
       RETURNING s.ord, p.payment_no, p.method, p.provider_payment_no
     ), events AS (
       INSERT INTO outbox (event_id, channel, payload, occurred_at)
       SELECT e."eventId"::uuid, e.name, e.payload, e."occurredAt"::timestamptz
       FROM stored s, jsonb_to_recordset(s.events) AS e("eventId" text, name text, payload jsonb, "occurredAt" text)
     )
     SELECT EXISTS (SELECT 1 FROM guard g WHERE g.ord = a.ord) AS current,
       EXISTS (SELECT 1 FROM stored s WHERE s.ord = a.ord) AS stored,
       (SELECT json_agg(json_build_object('paymentNo', c.payment_no, 'method', c.method,
          'providerPaymentNo', c.provider_payment_no)) FROM closed c WHERE c.ord = a.ord) AS closed
     FROM a ORDER BY a.ord`,
    [JSON.stringify(input)],
  );
  return rows.map((r) => ({ current: r.current, stored: r.stored, closed: r.closed ?? [] }));
}

/**
 * A notice and its transition (`saveNoticedTransitions`) written on the pool, while the checkout is
 * still at `version`. Notices of different checkouts written together share one statement; a second
 * notice of a checkout in the same batch is written alone after it (it then finds the checkout
 * changed, and is decided again under its lock). In a transaction, call `saveNoticedTransitions`.
 */
export const saveNoticedTransition = perPool(
  onePerKey((n: NoticedTransition) => n.transition.parentOrderNo, saveNoticedTransitions),
);

/**
 * One statement: stores a notification that changes nothing, while the checkout of `parentOrderNo`
 * is still at `version` (so what it records it did is still true). Shares the checkout's lock with
 * other such notices; a change to the checkout waits for it, or it for the change.
 */
export async function saveNoticeUnchanged(
  q: Queryable,
  row: NoticeRow,
  parentOrderNo: string,
  version: number,
): Promise<NoticeWrite> {
  const notice = noticeInsert(3, row, "EXISTS (SELECT 1 FROM guard)");
  const { rows } = await q.query(
    `WITH guard AS (
       SELECT 1 FROM checkouts WHERE parent_order_no = $1 AND version = $2::bigint FOR SHARE
     ), notice AS (${notice.sql})
     SELECT (SELECT count(*) FROM guard)::int AS current, (SELECT count(*) FROM notice)::int AS stored`,
    [parentOrderNo, version, ...notice.params],
  );
  return { current: rows[0].current === 1, stored: rows[0].stored === 1, closed: [] };
}
