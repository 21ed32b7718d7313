import type { Pool } from "pg";
import { deleteInChunks } from "../../../shared/db/pool";

/** How many rows a purge deleted, per table. */
export interface NotificationPurge {
  messages: number;
  deliveries: number;
  sandboxOutbox: number;
  orderFacts: number;
}

/**
 * Deletes what is older than `before`, in chunks (`deleteInChunks`): in-app messages, read or not;
 * then finished deliveries (SENT or DEAD; one still due or sending is never touched) whose message,
 * if any, went first; the sandbox channels' record; and the facts of orders that completed or
 * closed before it. A later event about such an order records its facts afresh.
 */
export async function purgeNotifications(
  pool: Pool,
  before: Date,
  chunk = 10_000,
): Promise<NotificationPurge> {
  const messages = await deleteInChunks(pool, "messages", "created_at < $1", before, chunk);
  const deliveries = await deleteInChunks(
    pool,
    "deliveries",
    `created_at < $1 AND status IN ('SENT', 'DEAD')
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.delivery_id = deliveries.id)`,
    before,
    chunk,
  );
  const sandboxOutbox = await deleteInChunks(pool, "sandbox_outbox", "sent_at < $1", before, chunk);
  const orderFacts = await deleteInChunks(
    pool,
    "order_facts",
    "(completed_at IS NOT NULL OR closed_at IS NOT NULL) AND coalesce(completed_at, closed_at) < $1",
    before,
    chunk,
  );
  return { messages, deliveries, sandboxOutbox, orderFacts };
}
