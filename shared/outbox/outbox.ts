import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/pool";

/** A durable event as it travels on a channel: consumers dedupe on `eventId`. */
export interface EventEnvelope<T = unknown> {
  eventId: string;
  /** The event and channel name, `<domain>.<past-tense>` such as `order.placed`. */
  name: string;
  /** ISO-8601 instant of the state change that produced the event. */
  occurredAt: string;
  payload: T;
}

// A channel becomes a NATS subject and (dots -> underscores) a stream name: no wildcards or spaces.
const CHANNEL_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Throws unless `channel` is usable as a NATS subject and JetStream stream name. */
export function assertChannelName(channel: string): void {
  if (!CHANNEL_NAME.test(channel)) throw new Error(`Invalid channel name "${channel}"`);
}

/** A new event envelope with its own id; it is durable only once inserted into the outbox. */
export function newEvent<T extends object>(
  channel: string,
  payload: T,
  occurredAt: Date = new Date(),
): EventEnvelope<T> {
  assertChannelName(channel);
  return { eventId: randomUUID(), name: channel, occurredAt: occurredAt.toISOString(), payload };
}

/**
 * An INSERT of the envelopes passed as a JSON array in parameter `param`, for
 * writing a state change and its events in one statement (one round trip).
 */
export function outboxInsertSql(param: string): string {
  return `INSERT INTO outbox (event_id, channel, payload, occurred_at)
    SELECT e."eventId"::uuid, e.name, e.payload, e."occurredAt"::timestamptz
    FROM jsonb_to_recordset(${param}::jsonb) AS e("eventId" text, name text, payload jsonb, "occurredAt" text)`;
}

/**
 * Records an event in the caller's transaction, so the state change and its
 * event commit (or roll back) together; the relay publishes it after commit.
 */
export async function recordEvent<T extends object>(
  tx: Queryable,
  channel: string,
  payload: T,
  occurredAt: Date = new Date(),
): Promise<EventEnvelope<T>> {
  const envelope = newEvent(channel, payload, occurredAt);
  await tx.query("INSERT INTO outbox (event_id, channel, payload, occurred_at) VALUES ($1, $2, $3, $4)", [
    envelope.eventId,
    channel,
    JSON.stringify(payload),
    envelope.occurredAt,
  ]);
  return envelope;
}
