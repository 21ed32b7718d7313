import type { Pool, PoolClient } from "pg";
import { withTransaction } from "../db/pool";

/** What `consumeOnce` did: `processed` is false when the event had already been applied. */
export interface ConsumeResult<T> {
  processed: boolean;
  result?: T;
}

/**
 * Applies `work` for an event at most once per consumer: the inbox row and the
 * effect commit in one transaction. A concurrent duplicate blocks on the primary
 * key until the first commits, then finds the row and does nothing (or, if the
 * first rolled back, applies the effect itself).
 */
export async function consumeOnce<T>(
  pool: Pool,
  consumer: string,
  eventId: string,
  work: (tx: PoolClient) => Promise<T>,
): Promise<ConsumeResult<T>> {
  return withTransaction(pool, async (tx) => {
    const { rowCount } = await tx.query(
      "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [consumer, eventId],
    );
    if (rowCount === 0) return { processed: false };
    return { processed: true, result: await work(tx) };
  });
}

/**
 * Records events in a consumer's inbox in one statement, inside the caller's transaction;
 * answers the ids recorded now (the others were applied before). As with `consumeOnce`, the
 * effects of the answered events must commit in the same transaction.
 */
export async function recordInbox(
  tx: PoolClient,
  consumer: string,
  eventIds: string[],
): Promise<Set<string>> {
  const { rows } = await tx.query<{ event_id: string }>(
    `INSERT INTO inbox (consumer, event_id) SELECT $1, id FROM unnest($2::text[]) AS id ORDER BY id
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, eventIds],
  );
  return new Set(rows.map((r) => r.event_id));
}

/**
 * Whether a consumer applied this event before (its inbox row exists), for work that must run
 * outside a transaction (a call to a third party) and records its inbox row only afterwards.
 */
export async function consumedBefore(
  q: Pick<Pool, "query">,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const { rows } = await q.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2) AS found",
    [consumer, eventId],
  );
  return rows[0]?.found === true;
}

/** A consumer's inbox key for one event. */
export interface InboxKey {
  consumer: string;
  eventId: string;
}

/**
 * For an effect that is ONE statement: a CTE `inbox_row` recording the event for the consumer
 * (parameters $n and $n+1), empty when it was recorded before. The statement gates its rows on
 * `EXISTS (SELECT 1 FROM inbox_row)`, so the inbox row and the effect commit together in one
 * round trip instead of a four-statement transaction; a concurrent duplicate waits on the key,
 * then finds it taken and changes nothing, as with `consumeOnce`.
 */
export const inboxRowCte = (n: number) =>
  `inbox_row AS (INSERT INTO inbox (consumer, event_id) VALUES ($${n}, $${n + 1}) ON CONFLICT DO NOTHING RETURNING 1)`;

/** The parameters `inboxRowCte` reads. */
export const inboxRowParams = (key: InboxKey) => [key.consumer, key.eventId];
