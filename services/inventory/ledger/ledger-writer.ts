import type Redis from "ioredis";
import type { Pool } from "pg";
import { OmsError } from "../../../shared/errors";
import { decodeMovements, type Movement } from "../domain/movement";
import { LEDGER_GROUP, type StockKeys } from "../stock/stock-keys";
import { writeMovements } from "../store/ledger.repo";

// A pending entry read back after its stream entry was deleted has null fields.
type Entry = [id: string, fields: string[] | null];
type ReadReply = [stream: string, entries: Entry[]][] | null;

/** The writer's dependencies; `blocking` is a connection of its own (XREADGROUP BLOCK holds it). */
export interface LedgerWriterOptions {
  redis: Redis;
  blocking: Redis;
  pool: Pool;
  keys: StockKeys;
  /** This pod's consumer name in the group (the node id). */
  consumer: string;
  logger: { warn(...args: unknown[]): void; error(...args: unknown[]): void };
  batchSize?: number;
  blockMs?: number;
  /**
   * After a batch smaller than `batchSize`, wait this long before reading on, so the next batch
   * gathers what the scripts append meanwhile: fewer, larger writes (default 50 ms; 0 reads at once).
   */
  lingerMs?: number;
  /** Entries another consumer has held this long are taken over (that pod is presumed dead). */
  claimIdleMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Moves stock movements from the Redis stream (appended by the Lua scripts in
 * the same atomic step as the counter change) into the PostgreSQL ledger of
 * record. One consumer group across pods; an entry is acknowledged and
 * deleted only after its transaction committed, and written idempotently by
 * movement id, so a crash anywhere loses nothing and applies nothing twice.
 */
export class LedgerWriter {
  private stopping = false;
  private running?: Promise<void>;
  private groupReady = false;

  constructor(private readonly o: LedgerWriterOptions) {}

  /** Starts the background loop. */
  start(): void {
    this.running = this.loop();
  }

  /** Stops the loop after the current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Resolves once every movement appended so far is written to PostgreSQL (the stream is empty). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.o.redis.xlen(this.o.keys.ledger)) > 0) {
      if (Date.now() > deadline)
        throw new OmsError("SERVICE_UNAVAILABLE", "The stock ledger is behind; try again", {});
      await this.ensureGroup(this.o.redis);
      // Help instead of waiting: take new entries, and any another consumer left idle for a second.
      await this.write(await this.readNew(this.o.redis, 0));
      await this.claimStale(1000);
      await sleep(10);
    }
  }

  private async loop(): Promise<void> {
    let lastClaim = 0;
    let failures = 0;
    let ownPendingDone = false;
    while (!this.stopping) {
      try {
        await this.ensureGroup(this.o.redis);
        if (!ownPendingDone) {
          await this.write(await this.read(this.o.redis, "0", 0));
          ownPendingDone = true;
        }
        const claimIdleMs = this.o.claimIdleMs ?? 10_000;
        if (Date.now() - lastClaim > claimIdleMs / 2) {
          await this.claimStale(claimIdleMs);
          lastClaim = Date.now();
        }
        const entries = await this.readNew(this.o.blocking, this.o.blockMs ?? 500);
        await this.write(entries);
        failures = 0;
        const lingerMs = this.o.lingerMs ?? 50;
        if (entries.length > 0 && entries.length < (this.o.batchSize ?? 200) && lingerMs > 0) {
          await sleep(lingerMs);
        }
      } catch (err) {
        if (this.stopping) break;
        if (String(err).includes("NOGROUP")) this.groupReady = false;
        failures += 1;
        this.o.logger.warn("ledger writer: batch failed, retrying", { error: String(err), failures });
        await sleep(Math.min(2000, 50 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  /** Creates the group from the stream's start (also after the stream key was deleted). */
  private async ensureGroup(redis: Redis): Promise<void> {
    if (this.groupReady) return;
    try {
      await redis.xgroup("CREATE", this.o.keys.ledger, LEDGER_GROUP, "0", "MKSTREAM");
    } catch (err) {
      if (!String(err).includes("BUSYGROUP")) throw err;
    }
    this.groupReady = true;
  }

  private readNew(redis: Redis, blockMs: number): Promise<Entry[]> {
    return this.read(redis, ">", blockMs);
  }

  private async read(redis: Redis, from: string, blockMs: number): Promise<Entry[]> {
    const count = this.o.batchSize ?? 200;
    const args = ["GROUP", LEDGER_GROUP, this.o.consumer, "COUNT", count] as const;
    const reply = (
      blockMs > 0
        ? await redis.xreadgroup(...args, "BLOCK", blockMs, "STREAMS", this.o.keys.ledger, from)
        : await redis.xreadgroup(...args, "STREAMS", this.o.keys.ledger, from)
    ) as ReadReply;
    return reply?.[0]?.[1] ?? [];
  }

  /** Takes over entries pending on another consumer for longer than `minIdleMs`, and writes them. */
  private async claimStale(minIdleMs: number): Promise<void> {
    let cursor = "0-0";
    do {
      const [next, entries, deleted] = (await this.o.redis.xautoclaim(
        this.o.keys.ledger,
        LEDGER_GROUP,
        this.o.consumer,
        minIdleMs,
        cursor,
        "COUNT",
        this.o.batchSize ?? 200,
      )) as [string, (Entry | null)[], string[]?];
      await this.write(entries.filter((e): e is Entry => e !== null));
      if (deleted && deleted.length > 0)
        await this.o.redis.xack(this.o.keys.ledger, LEDGER_GROUP, ...deleted);
      cursor = next;
    } while (cursor !== "0-0" && !this.stopping);
  }

  private async write(entries: Entry[]): Promise<void> {
    if (entries.length === 0) return;
    const movements: Movement[] = [];
    for (const [id, fields] of entries) {
      if (!fields) continue;
      const json = fields[fields.indexOf("m") + 1] ?? "";
      try {
        movements.push(...decodeMovements(id, json));
      } catch (err) {
        // A malformed entry can never be written: keep it for an operator rather than block the stream.
        this.o.logger.error("ledger writer: undecodable stream entry", { id, error: String(err) });
        await this.o.redis.xadd(this.o.keys.ledgerDead, "*", "id", id, "m", json);
      }
    }
    await writeMovements(this.o.pool, movements);
    const ids = entries.map(([id]) => id);
    // Acknowledge and delete together: the stream's length is then exactly what is not yet written.
    await this.o.redis
      .multi()
      .xack(this.o.keys.ledger, LEDGER_GROUP, ...ids)
      .xdel(this.o.keys.ledger, ...ids)
      .exec();
  }
}
