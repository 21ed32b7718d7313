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
  assertChannelName(channel);
  const envelope: EventEnvelope<T> = {
    eventId: randomUUID(),
    name: channel,
    occurredAt: occurredAt.toISOString(),
    payload,
  };
  await tx.query("INSERT INTO outbox (event_id, channel, payload, occurred_at) VALUES ($1, $2, $3, $4)", [
    envelope.eventId,
    channel,
    JSON.stringify(payload),
    envelope.occurredAt,
  ]);
  return envelope;
}
