import type { Pool, PoolClient } from "pg";
import type { EventEnvelope } from "./outbox";

/** Sends one envelope to its channel; resolves once the broker has stored it. */
export type PublishEvent = (channel: string, envelope: EventEnvelope) => Promise<void>;

/** The logger methods the relay uses (Moleculer's logger fits). */
export interface RelayLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Options of an outbox relay; delays are in milliseconds. */
export interface OutboxRelayOptions {
  pool: Pool;
  publish: PublishEvent;
  pollMs: number;
  batchSize?: number;
  /** A publish slower than this counts as failed, so a hung broker never pins the batch's transaction. */
  publishTimeoutMs?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  logger?: RelayLogger;
}

interface PendingRow {
  event_id: string;
  channel: string;
  payload: unknown;
  occurred_at: Date;
  attempts: number;
}

interface BatchResult {
  claimed: number;
  published: number;
  failed: number;
}

// Oldest first; SKIP LOCKED lets relays in several pods share the table without publishing a row twice.
const CLAIM_SQL = `SELECT event_id, channel, payload, occurred_at, attempts FROM outbox
  WHERE published_at IS NULL AND next_attempt_at <= now()
  ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`;

const FAILURE_SQL = `UPDATE outbox SET attempts = attempts + 1, last_error = $3,
  next_attempt_at = clock_timestamp() + $2 * interval '1 millisecond' WHERE event_id = $1`;

/** Delay before retry number `attempts` (1-based): base * 2^(attempts-1), capped. */
export function retryDelayMs(attempts: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function toEnvelope(row: PendingRow): EventEnvelope {
  return {
    eventId: row.event_id,
    name: row.channel,
    occurredAt: row.occurred_at.toISOString(),
    payload: row.payload,
  };
}

/**
 * Publishes committed outbox rows at least once: claims a batch, publishes each
 * row, marks it sent, and reschedules failures with capped exponential backoff.
 * A crash between publish and mark republishes the row; consumers dedupe on eventId.
 */
export class OutboxRelay {
  private readonly opts: Required<Omit<OutboxRelayOptions, "logger">> & Pick<OutboxRelayOptions, "logger">;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;

  constructor(opts: OutboxRelayOptions) {
    this.opts = { batchSize: 100, publishTimeoutMs: 5_000, retryBaseMs: 1_000, retryCapMs: 60_000, ...opts };
  }

  /** Starts the polling loop (no-op if running). */
  start(): void {
    if (this.loop) return;
    this.running = true;
    this.opts.logger?.info(
      `Outbox relay started (poll ${this.opts.pollMs} ms, batch ${this.opts.batchSize})`,
    );
    this.loop = this.run();
  }

  /** Stops polling and waits for the batch in flight to commit. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Drains now instead of at the next poll, e.g. right after a commit that recorded events. */
  kick(): void {
    if (this.wake) this.wake();
    else this.kicked = true;
  }

  /** Claims and publishes one batch; returns how many rows were published. */
  async drainOnce(): Promise<number> {
    return (await this.drainBatch()).published;
  }

  /** Deletes rows published before `olderThan` (they only serve diagnosis); returns the count. */
  async purgePublished(olderThan: Date, chunk = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      // Chunked so a large backlog never becomes one long lock-holding statement.
      const { rowCount } = await this.opts.pool.query(
        `DELETE FROM outbox WHERE event_id IN (SELECT event_id FROM outbox
           WHERE published_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [olderThan, chunk],
      );
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < chunk) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let again = false;
      try {
        const batch = await this.drainBatch();
        // A full, clean batch means a backlog: go on at once. Failures wait for the next poll.
        again = batch.claimed === this.opts.batchSize && batch.failed === 0;
      } catch (err) {
        this.opts.logger?.error("Outbox relay batch failed", err);
      }
      if (!again && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.opts.pollMs);
      this.wake = done;
    });
  }

  private async drainBatch(): Promise<BatchResult> {
    const client = await this.opts.pool.connect();
    // A checked-out client that loses its connection between queries (while we publish) emits
    // "error"; unheard, that would crash the process. Note it and discard the client instead.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<PendingRow>(CLAIM_SQL, [this.opts.batchSize]);
      const result = await this.publishRows(client, rows);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      if (!broken) await client.query("ROLLBACK").catch((rollbackErr: Error) => (broken = rollbackErr));
      throw err;
    } finally {
      // A broken client is destroyed by release(err); keep our listener for its late errors.
      if (!broken) client.off("error", onError);
      client.release(broken);
    }
  }

  private async publishRows(client: PoolClient, rows: PendingRow[]): Promise<BatchResult> {
    const { publish, publishTimeoutMs, retryBaseMs, retryCapMs, logger } = this.opts;
    // All rows of the batch are in flight at once: one connection keeps their order in the stream,
    // and the client writes them in few syscalls instead of one round trip each.
    const outcomes = await Promise.allSettled(
      rows.map((row) => withTimeout(publish(row.channel, toEnvelope(row)), publishTimeoutMs)),
    );
    const sent: string[] = [];
    let failed = 0;
    for (const [i, outcome] of outcomes.entries()) {
      const row = rows[i] as PendingRow;
      if (outcome.status === "fulfilled") {
        sent.push(row.event_id);
        continue;
      }
      failed++;
      const attempts = row.attempts + 1;
      const err = outcome.reason;
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      await client.query(FAILURE_SQL, [
        row.event_id,
        retryDelayMs(attempts, retryBaseMs, retryCapMs),
        message,
      ]);
      logger?.warn(`Outbox publish failed (attempt ${attempts})`, {
        channel: row.channel,
        eventId: row.event_id,
        error: message,
      });
    }
    if (sent.length > 0) {
      await client.query(
        "UPDATE outbox SET published_at = clock_timestamp() WHERE event_id = ANY($1::uuid[])",
        [sent],
      );
    }
    return { claimed: rows.length, published: sent.length, failed };
  }
}
