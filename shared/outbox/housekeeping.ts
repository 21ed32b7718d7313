import type { Pool } from "pg";
import { CHANNEL_STREAM_MAX_AGE_MS } from "../channels";
import { deleteInChunks } from "../db/pool";

/**
 * The shortest inbox retention honoured: an inbox row must outlive every redelivery of its event,
 * and a stream keeps a message (acked or not) for `CHANNEL_STREAM_MAX_AGE_MS`; a day more is margin.
 */
export const INBOX_RETENTION_MIN_MS = CHANNEL_STREAM_MAX_AGE_MS + 86_400_000;

/** What the housekeeping deletes: outbox rows published before `outboxBefore`, inbox rows processed before `inboxBefore`. */
export interface HousekeepingCutoffs {
  outboxBefore: Date;
  inboxBefore: Date;
}

/** The cutoffs at `now` for the configured retentions; an inbox retention below the minimum is raised to it. */
export function housekeepingCutoffs(
  now: Date,
  retention: { outboxMs: number; inboxMs: number },
): HousekeepingCutoffs {
  return {
    outboxBefore: new Date(now.getTime() - retention.outboxMs),
    inboxBefore: new Date(now.getTime() - Math.max(retention.inboxMs, INBOX_RETENTION_MIN_MS)),
  };
}

/**
 * Deletes a service's outbox rows published before the cutoff (they only serve diagnosis; pending
 * rows are never touched) and its inbox rows processed before theirs, in chunks (`deleteInChunks`).
 * Answers how many rows went.
 */
export async function purgeOutboxInbox(
  pool: Pool,
  cutoffs: HousekeepingCutoffs,
  chunk = 10_000,
): Promise<{ outbox: number; inbox: number }> {
  const outbox = await deleteInChunks(pool, "outbox", "published_at < $1", cutoffs.outboxBefore, chunk);
  const inbox = await deleteInChunks(pool, "inbox", "processed_at < $1", cutoffs.inboxBefore, chunk);
  return { outbox, inbox };
}
