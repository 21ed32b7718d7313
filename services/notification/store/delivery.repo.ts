import type { Queryable } from "../../../shared/db/pool";
import type { PagePosition } from "../domain/cursor";
import type { DeliveryDraft } from "../domain/delivery-plan";
import type { Channel, NodeCode } from "../domain/nodes";
import type { FailureOutcome } from "../domain/retry";

export type DeliveryStatus = "PENDING" | "SENDING" | "SENT" | "FAILED" | "DEAD";

/** A delivery as stored. */
export interface Delivery {
  id: string;
  eventId: string;
  node: NodeCode;
  recipient: string;
  channel: Channel;
  title: string;
  text: string;
  orderNo: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
  deadAt: Date | null;
  createdAt: Date;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  node: NodeCode;
  recipient: string;
  channel: Channel;
  title: string;
  text: string;
  order_no: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  sent_at: Date | null;
  dead_at: Date | null;
  created_at: Date;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  eventId: r.event_id,
  node: r.node,
  recipient: r.recipient,
  channel: r.channel,
  title: r.title,
  text: r.text,
  orderNo: r.order_no,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  sentAt: r.sent_at,
  deadAt: r.dead_at,
  createdAt: r.created_at,
});

/**
 * Inserts events' drafts in one statement: a (eventId, recipient, channel) already stored is
 * skipped, an IN_APP delivery is SENT at once together with its inbox message, the rest wait
 * PENDING for their adapter. Returns, per event of `eventIds`, how many of its deliveries now
 * wait PENDING: the new ones and any a crash left unsent (an event without drafts still counts
 * those), so the caller sends only when there is something to send.
 */
export async function insertDeliveries(
  q: Queryable,
  eventIds: string[],
  drafts: DeliveryDraft[],
  now: Date,
): Promise<Map<string, number>> {
  const { rows } = await q.query<{ event_id: string; pending: number }>(
    `WITH ${DELIVERIES_INSERT_CTES("$1", "$2")} ${PENDING_OF_EVENTS_SQL("$3")}`,
    [JSON.stringify(drafts), now, eventIds],
  );
  return new Map(rows.map((r) => [r.event_id, r.pending]));
}

/**
 * The CTEs `inserted` and `inbox` of `insertDeliveries`: the drafts (a JSON array in parameter
 * `drafts`) inserted at time `now`, IN_APP ones SENT with their inbox message.
 */
export const DELIVERIES_INSERT_CTES = (drafts: string, now: string) => `inserted AS (
       INSERT INTO deliveries (event_id, node, recipient, channel, title, text, order_no, status, attempts,
         sent_at, next_attempt_at, created_at)
       SELECT d."eventId", d.node, d.recipient, d.channel, d.title, d.text, d."orderNo",
         CASE WHEN d.channel = 'IN_APP' THEN 'SENT' ELSE 'PENDING' END,
         CASE WHEN d.channel = 'IN_APP' THEN 1 ELSE 0 END,
         CASE WHEN d.channel = 'IN_APP' THEN ${now}::timestamptz END, ${now}, ${now}
       FROM jsonb_to_recordset(${drafts}::jsonb) AS d("eventId" text, node text, recipient text, channel text,
         title text, text text, "orderNo" text)
       ON CONFLICT (event_id, recipient, channel) DO NOTHING
       RETURNING id, event_id, channel, recipient, node, title, text, order_no
     ), inbox AS (
       INSERT INTO messages (delivery_id, recipient, node, title, text, order_no, created_at)
       SELECT id, recipient, node, title, text, order_no, ${now} FROM inserted WHERE channel = 'IN_APP'
     )`;

/**
 * After `DELIVERIES_INSERT_CTES`: per event of parameter `eventIds`, how many of its deliveries
 * wait PENDING. The statement's snapshot does not see its own inserts: the old PENDING rows and
 * the new ones add up.
 */
export const PENDING_OF_EVENTS_SQL = (eventIds: string) => `SELECT e.event_id,
       (SELECT count(*) FROM inserted i WHERE i.event_id = e.event_id AND i.channel <> 'IN_APP')::int
       + (SELECT count(*) FROM deliveries d WHERE d.event_id = e.event_id AND d.status = 'PENDING')::int
       AS pending
     FROM unnest(${eventIds}::text[]) AS e(event_id)`;

/**
 * Claims, in one statement, the events' deliveries still waiting for their first send (also
 * after a crash before sending), as `claimDelivery` does one: each counts the attempt; rows
 * another pod claimed meanwhile are left to it.
 */
export async function claimPendingOfEvents(q: Queryable, eventIds: string[], now: Date): Promise<Delivery[]> {
  const { rows } = await q.query<DeliveryRow>(
    `UPDATE deliveries SET status = 'SENDING', attempts = attempts + 1, claimed_at = $2, updated_at = $2
     WHERE event_id = ANY($1::text[]) AND channel <> 'IN_APP' AND status = 'PENDING' AND next_attempt_at <= $2
     RETURNING *`,
    [eventIds, now],
  );
  return rows.map(toDelivery);
}

/**
 * Claims a delivery for one send attempt: due PENDING/FAILED rows, or SENDING rows whose sender
 * vanished before `staleBefore`. The row counts the attempt; null when someone else has it or it
 * is done (SENT never sends twice), dead, or not yet due.
 */
export async function claimDelivery(
  q: Queryable,
  id: string,
  now: Date,
  staleBefore: Date,
): Promise<Delivery | null> {
  const { rows } = await q.query<DeliveryRow>(
    `UPDATE deliveries SET status = 'SENDING', attempts = attempts + 1, claimed_at = $2, updated_at = $2
     WHERE id = $1 AND channel <> 'IN_APP'
       AND ((status IN ('PENDING', 'FAILED') AND next_attempt_at <= $2) OR (status = 'SENDING' AND claimed_at < $3))
     RETURNING *`,
    [id, now, staleBefore],
  );
  return rows[0] ? toDelivery(rows[0]) : null;
}

/** The adapters accepted these messages (one statement for all of them). */
export async function markSent(q: Queryable, ids: string[], now: Date): Promise<void> {
  await q.query(
    `UPDATE deliveries SET status = 'SENT', sent_at = $2, last_error = NULL, updated_at = $2
     WHERE id = ANY($1::uuid[])`,
    [ids, now],
  );
}

/** The adapter failed: retry later, or dead-letter it. */
export async function markFailed(
  q: Queryable,
  id: string,
  outcome: FailureOutcome,
  error: string,
  now: Date,
): Promise<void> {
  await q.query(
    `UPDATE deliveries SET status = $2, next_attempt_at = COALESCE($3, next_attempt_at), last_error = $4,
       dead_at = CASE WHEN $2 = 'DEAD' THEN $5::timestamptz END, updated_at = $5
     WHERE id = $1`,
    [
      id,
      outcome.status,
      outcome.status === "FAILED" ? outcome.nextAttemptAt : null,
      error.slice(0, 500),
      now,
    ],
  );
}

export async function findDelivery(q: Queryable, id: string): Promise<Delivery | null> {
  const { rows } = await q.query<DeliveryRow>("SELECT * FROM deliveries WHERE id = $1", [id]);
  return rows[0] ? toDelivery(rows[0]) : null;
}

/** Deliveries a lost timer or a vanished sender left behind. */
export async function overdueDeliveries(
  q: Queryable,
  now: Date,
  staleBefore: Date,
  limit = 500,
): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `(SELECT id FROM deliveries WHERE status IN ('PENDING', 'FAILED') AND next_attempt_at <= $1 LIMIT $3)
     UNION ALL
     (SELECT id FROM deliveries WHERE status = 'SENDING' AND claimed_at < $2 LIMIT $3)`,
    [now, staleBefore, limit],
  );
  return rows.map((r) => r.id);
}

/** One page of the dead-letter list, most recently dead first; one row more than asked tells of a next page. */
export async function readDeadLetters(
  q: Queryable,
  limit: number,
  after: PagePosition | null,
): Promise<Delivery[]> {
  const { rows } = await q.query<DeliveryRow>(
    `SELECT * FROM deliveries WHERE status = 'DEAD' AND ($2::timestamptz IS NULL OR (dead_at, id) < ($2, $3::uuid))
     ORDER BY dead_at DESC, id DESC LIMIT $1`,
    [limit + 1, after?.at ?? null, after?.id ?? null],
  );
  return rows.map(toDelivery);
}

/** Puts a dead delivery back to PENDING with a fresh set of attempts; null unless it was DEAD. */
export async function reviveDelivery(q: Queryable, id: string, now: Date): Promise<Delivery | null> {
  const { rows } = await q.query<DeliveryRow>(
    `UPDATE deliveries SET status = 'PENDING', attempts = 0, next_attempt_at = $2, dead_at = NULL, updated_at = $2
     WHERE id = $1 AND status = 'DEAD' RETURNING *`,
    [id, now],
  );
  return rows[0] ? toDelivery(rows[0]) : null;
}
