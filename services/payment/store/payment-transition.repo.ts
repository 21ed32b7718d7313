import type { PaymentStatus } from "../../../shared/contracts/payment.contract";
import type { Queryable } from "../../../shared/db/pool";
import { type EventEnvelope, outboxInsertSql } from "../../../shared/outbox/outbox";
import type { AttemptToClose } from "../domain/payment";
import { CLOSED_JSON, guardSql } from "./payment.repo";

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

/** The inbox insert of a notification (`noticeInsert`), to run only when `when` holds. */
export type InboxInsert = (first: number, when: string) => { sql: string; params: unknown[] };

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

const TRANSITION_PARAMS = (w: PaymentTransitionWrite, version: number) => [
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
  version,
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
       WHERE $7 AND parent_order_no = $8 AND status IN ('PENDING', 'FAILED') AND payment_no <> $1 AND ${condition}
       RETURNING payment_no, method, provider_payment_no
     ), events AS (${outboxInsertSql("$9")} WHERE ${condition})`;

/**
 * One statement, while the checkout is still at `version` (decided under its lock, or from a read
 * just before): stores a notification in the inbox and, only when it is new, writes the transition
 * it causes with its events and bumps the checkout's version.
 */
export async function saveNoticedTransition(
  q: Queryable,
  inbox: InboxInsert,
  w: PaymentTransitionWrite,
  version: number,
): Promise<NoticeWrite> {
  // Parameters $1..$11 are the transition's, $12 the version; the inbox row's follow from $13.
  const notice = inbox(13, "EXISTS (SELECT 1 FROM guard)");
  const { rows } = await q.query(
    `WITH ${guardSql("$8", "$12")}, notice AS (${notice.sql}), ${transitionCtes("EXISTS (SELECT 1 FROM notice)")}
     SELECT (SELECT count(*) FROM guard)::int AS current, (SELECT count(*) FROM notice)::int AS stored,
       ${CLOSED_JSON} AS closed`,
    [...TRANSITION_PARAMS(w, version), ...notice.params],
  );
  return { current: rows[0].current === 1, stored: rows[0].stored === 1, closed: rows[0].closed ?? [] };
}

/**
 * One statement: stores a notification that changes nothing, while the checkout of `parentOrderNo`
 * is still at `version` (so what it records it did is still true). Shares the checkout's lock with
 * other such notices; a change to the checkout waits for it, or it for the change.
 */
export async function saveNoticeUnchanged(
  q: Queryable,
  inbox: InboxInsert,
  parentOrderNo: string,
  version: number,
): Promise<NoticeWrite> {
  const notice = inbox(3, "EXISTS (SELECT 1 FROM guard)");
  const { rows } = await q.query(
    `WITH guard AS (
       SELECT 1 FROM checkouts WHERE parent_order_no = $1 AND version = $2::bigint FOR SHARE
     ), notice AS (${notice.sql})
     SELECT (SELECT count(*) FROM guard)::int AS current, (SELECT count(*) FROM notice)::int AS stored`,
    [parentOrderNo, version, ...notice.params],
  );
  return { current: rows[0].current === 1, stored: rows[0].stored === 1, closed: [] };
}
