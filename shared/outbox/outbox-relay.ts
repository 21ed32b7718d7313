import type { Pool } from "pg";
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
  /** Each statement runs on its own (autocommit): pass a pool, never a client inside a transaction. */
  pool: Pick<Pool, "query">;
  publish: PublishEvent;
  pollMs: number;
  /**
   * The longest wait between polls: each poll that finds nothing doubles the wait, from `pollMs`
   * up to this (default 10 x `pollMs`); one that finds rows brings it back. A `kick` polls at once.
   */
  idlePollMaxMs?: number;
  batchSize?: number;
  /** A publish slower than this counts as failed, so a hung broker never holds a batch past its lease. */
  publishTimeoutMs?: number;
  /**
   * How long a claimed batch stays hidden from other relays; longer than `publishTimeoutMs`, so
   * rows are republished only once their claimant is surely gone (it crashed, or lost its database).
   */
  leaseMs?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  logger?: RelayLogger;
}

interface ClaimedRow {
  event_id: string;
  channel: string;
  payload: unknown;
  occurred_at: Date;
  attempts: number;
  /** The lease's end exactly as stored: a failure is recorded only while this relay still holds it. */
  leased_until: string;
}

interface BatchResult {
  claimed: number;
  published: number;
  failed: number;
}

// Oldest first. SKIP LOCKED and the lease (next_attempt_at moved past the publish timeout) let
// relays in several pods share the table: a claimed row is due again only when its lease ends.
// RETURNING has no order, so the outer SELECT restores seq order for publishing.
const CLAIM_SQL = `WITH due AS MATERIALIZED (
    SELECT event_id FROM outbox
    WHERE published_at IS NULL AND next_attempt_at <= now()
    ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
  ), leased AS (
    UPDATE outbox o SET next_attempt_at = now() + $2 * interval '1 millisecond'
    FROM due WHERE o.event_id = due.event_id
    RETURNING o.seq, o.event_id, o.channel, o.payload, o.occurred_at, o.attempts,
      o.next_attempt_at::text AS leased_until
  )
  SELECT event_id, channel, payload, occurred_at, attempts, leased_until FROM leased ORDER BY seq`;

// One row per claimed event: error NULL marks it published; otherwise one more attempt, its error
// and the backoff. A failure reported after the lease ended (another relay may hold the row now)
// is dropped; a late success still marks the row, and a published row is never touched again.
const SETTLE_SQL = `UPDATE outbox o SET
    published_at = CASE WHEN r.error IS NULL THEN clock_timestamp() END,
    attempts = o.attempts + CASE WHEN r.error IS NULL THEN 0 ELSE 1 END,
    last_error = COALESCE(r.error, o.last_error),
    next_attempt_at = CASE WHEN r.error IS NULL THEN o.next_attempt_at
      ELSE clock_timestamp() + r.retry_ms * interval '1 millisecond' END
  FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::timestamptz[])
    AS r(event_id, error, retry_ms, leased_until)
  WHERE o.event_id = r.event_id AND o.published_at IS NULL
    AND (r.error IS NULL OR o.next_attempt_at = r.leased_until)`;

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

function toEnvelope(row: ClaimedRow): EventEnvelope {
  return {
    eventId: row.event_id,
    name: row.channel,
    occurredAt: row.occurred_at.toISOString(),
    payload: row.payload,
  };
}

/**
 * Publishes committed outbox rows at least once, in two statements per batch and no
 * transaction held open: one claims a batch by leasing it, the other marks the published
 * rows sent and reschedules the failed ones with capped exponential backoff. A relay that
 * dies before marking leaves its rows to be republished once the lease ends; consumers
 * dedupe on eventId.
 */
export class OutboxRelay {
  private readonly opts: Required<Omit<OutboxRelayOptions, "logger">> & Pick<OutboxRelayOptions, "logger">;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;

  constructor(opts: OutboxRelayOptions) {
    const publishTimeoutMs = opts.publishTimeoutMs ?? 5_000;
    // The margin covers what follows the publishes: waiting for a connection, the settle statement.
    const leaseMs = opts.leaseMs ?? publishTimeoutMs + 10_000;
    if (leaseMs <= publishTimeoutMs)
      throw new Error(
        `Outbox lease (${leaseMs} ms) must be longer than the publish timeout (${publishTimeoutMs} ms)`,
      );
    this.opts = {
      idlePollMaxMs: opts.pollMs * 10,
      batchSize: 100,
      retryBaseMs: 1_000,
      retryCapMs: 60_000,
      ...opts,
      publishTimeoutMs,
      leaseMs,
    };
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

  /** Stops polling and waits for the batch in flight to be published and marked. */
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

  private async run(): Promise<void> {
    let waitMs = this.opts.pollMs;
    while (this.running) {
      let claimed = 0;
      let again = false;
      try {
        const batch = await this.drainBatch();
        claimed = batch.claimed;
        // A full, clean batch means a backlog: go on at once. Failures wait for the next poll.
        again = batch.claimed === this.opts.batchSize && batch.failed === 0;
      } catch (err) {
        this.opts.logger?.error("Outbox relay batch failed", err);
      }
      // Nothing to publish: poll less and less often, as a quiet service's commits kick anyway.
      waitMs = claimed > 0 ? this.opts.pollMs : Math.min(waitMs * 2, this.opts.idlePollMaxMs);
      if (!again && this.running) await this.idle(waitMs);
    }
  }

  private idle(waitMs: number): Promise<void> {
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
      const timer = setTimeout(done, waitMs);
      this.wake = done;
    });
  }

  private async drainBatch(): Promise<BatchResult> {
    const { pool, batchSize, leaseMs } = this.opts;
    const { rows } = await pool.query<ClaimedRow>(CLAIM_SQL, [batchSize, leaseMs]);
    if (rows.length === 0) return { claimed: 0, published: 0, failed: 0 };
    const outcomes = await this.publishRows(rows);
    await pool.query(SETTLE_SQL, [
      rows.map((row) => row.event_id),
      outcomes.map((outcome) => outcome.error),
      outcomes.map((outcome) => outcome.retryMs),
      rows.map((row) => row.leased_until),
    ]);
    const failed = outcomes.filter((outcome) => outcome.error !== null).length;
    return { claimed: rows.length, published: rows.length - failed, failed };
  }

  /** Publishes the rows in order; answers per row its error (null once stored) and retry delay. */
  private async publishRows(rows: ClaimedRow[]): Promise<{ error: string | null; retryMs: number | null }[]> {
    const { publish, publishTimeoutMs, retryBaseMs, retryCapMs, logger } = this.opts;
    // All rows of the batch are in flight at once: one connection keeps their order in the stream,
    // and the client writes them in few syscalls instead of one round trip each.
    const settled = await Promise.allSettled(
      rows.map((row) => withTimeout(publish(row.channel, toEnvelope(row)), publishTimeoutMs)),
    );
    return settled.map((outcome, i) => {
      if (outcome.status === "fulfilled") return { error: null, retryMs: null };
      const row = rows[i] as ClaimedRow;
      const attempts = row.attempts + 1;
      const err = outcome.reason;
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      logger?.warn(`Outbox publish failed (attempt ${attempts})`, {
        channel: row.channel,
        eventId: row.event_id,
        error,
      });
      return { error, retryMs: retryDelayMs(attempts, retryBaseMs, retryCapMs) };
    });
  }
}
