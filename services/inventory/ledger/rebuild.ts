import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import type { Pool } from "pg";
import { OmsError } from "../../../shared/errors";
import { type Drift, driftKey, reconcile } from "../domain/drift";
import { foldReservations, isOpen } from "../domain/reservation-fold";
import { hashFields } from "../domain/stock-figures";
import {
  existingStockKeys,
  readHeldReservations,
  readRedisLimits,
  readRedisStock,
  scanKeys,
} from "../stock/redis-snapshot";
import { encodeReservation } from "../stock/reservation-codec";
import { CLOSED_RESERVATION_TTL_S, type StockKeys } from "../stock/stock-keys";
import type { StockScripts } from "../stock/stock-scripts";
import {
  allSkuIds,
  openReservationIds,
  readLedgerSums,
  readLimitCounts,
  readReservationMovements,
  readStockTable,
} from "../store/ledger.repo";
import type { LedgerWriter } from "./ledger-writer";

/** What a rebuild wrote. */
export interface RebuildReport {
  rebuiltAt: string;
  stockRows: number;
  reservations: number;
  limitCounters: number;
  durationMs: number;
}

/** The answer of a reconciliation: every drift that persisted over two looks. */
export interface ReconcileReport {
  ok: boolean;
  checkedAt: string;
  drift: Drift[];
}

type Restore = [key: string, spec: string];

const LOCK_MS = 5 * 60_000;
const RELEASE_LOCK =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rebuilds the Redis counters from the PostgreSQL ledger of record, and reconciles the two. */
export class StockRebuilder {
  constructor(
    private readonly o: {
      redis: Redis;
      scripts: StockScripts;
      keys: StockKeys;
      pool: Pool;
      writer: LedgerWriter;
    },
  ) {}

  /** True when Redis lost its counters: no built marker, or a SKU without its stock hash. */
  async needsRebuild(): Promise<boolean> {
    if ((await this.o.redis.exists(this.o.keys.built)) === 0) return true;
    const present = await existingStockKeys(this.o.redis, this.o.keys, await allSkuIds(this.o.pool));
    return present.includes(false);
  }

  /**
   * Rewrites stock hashes, reservation records and purchase-limit counters
   * from PostgreSQL. Removing the built marker first stops every script (they
   * answer NOT_READY, callers wait), so draining the stream then leaves
   * PostgreSQL complete, and nothing changes Redis while it is rewritten.
   */
  async rebuild(opts: { waitIfRunning?: boolean } = {}): Promise<RebuildReport | null> {
    const { redis, keys } = this.o;
    const token = randomUUID();
    if ((await redis.set(keys.rebuildLock, token, "PX", LOCK_MS, "NX")) !== "OK") {
      if (!opts.waitIfRunning) throw new OmsError("CONFLICT", "A rebuild is already running", {});
      while ((await redis.exists(keys.rebuildLock)) === 1) await sleep(100);
      return null;
    }
    const started = Date.now();
    try {
      // Drain first while scripts still run: if PostgreSQL is down this fails without stopping sales.
      await this.o.writer.drain(60_000);
      await redis.del(keys.built);
      await this.o.writer.drain(60_000);
      const report = await this.rewrite();
      const rebuiltAt = new Date().toISOString();
      await redis.set(keys.built, rebuiltAt);
      return { rebuiltAt, ...report, durationMs: Date.now() - started };
    } finally {
      await redis.eval(RELEASE_LOCK, 1, keys.rebuildLock, token);
    }
  }

  private async rewrite(): Promise<Omit<RebuildReport, "rebuiltAt" | "durationMs">> {
    const { pool, keys, redis } = this.o;
    const [skuIds, stock, movements, limits] = await Promise.all([
      allSkuIds(pool),
      readStockTable(pool),
      readReservationMovements(pool, CLOSED_RESERVATION_TTL_S),
      readLimitCounts(pool),
    ]);
    const reservations = foldReservations(movements);
    const restores: Restore[] = [];
    const del = JSON.stringify({ t: "del" });
    for (const key of await scanKeys(redis, keys.pattern("stock"))) restores.push([key, del]);
    for (const key of await scanKeys(redis, keys.pattern("limit"))) restores.push([key, del]);
    // Closed records and tombstones the ledger no longer lists keep answering retries until they expire.
    for (const key of await scanKeys(redis, keys.pattern("res")))
      if ((await redis.hget(key, "status")) === "HELD") restores.push([key, del]);

    // Every SKU gets a stock hash, even without stock: a missing hash then always means lost counters.
    const stockBySku = new Map<string, Record<string, string>>(skuIds.map((id) => [id, { _: "1" }]));
    for (const row of stock)
      stockBySku.set(row.skuId, { ...stockBySku.get(row.skuId), ...hashFields(row.warehouseId, row) });
    for (const [skuId, f] of stockBySku) restores.push([keys.stock(skuId), JSON.stringify({ t: "hash", f })]);
    for (const r of reservations) {
      // Held, or paid with units still to ship or give back: kept until closed, like the scripts keep it.
      const ttl = isOpen(r) ? undefined : CLOSED_RESERVATION_TTL_S;
      restores.push([
        keys.reservation(r.reservationId),
        JSON.stringify({ t: "hash", f: encodeReservation(r), ttl }),
      ]);
    }
    for (const l of limits)
      restores.push([keys.limit(l.skuId, l.buyerId), JSON.stringify({ t: "str", v: l.used })]);

    for (let i = 0; i < restores.length; i += 200) {
      const batch = restores.slice(i, i + 200);
      await this.o.scripts.restore(
        batch.map(([key]) => key),
        batch.map(([, spec]) => spec),
      );
    }
    return { stockRows: stock.length, reservations: reservations.length, limitCounters: limits.length };
  }

  /**
   * Compares Redis with PostgreSQL after draining the stream. Traffic in
   * flight can make a pair differ for a moment, so only drift seen twice, a
   * drain apart, is reported.
   */
  async reconcile(): Promise<ReconcileReport> {
    await this.o.writer.drain();
    const first = await this.compare();
    let drift = first;
    if (first.length > 0) {
      await sleep(100);
      await this.o.writer.drain();
      const seen = new Set(first.map(driftKey));
      drift = (await this.compare()).filter((d) => seen.has(driftKey(d)));
    }
    return { ok: drift.length === 0, checkedAt: new Date().toISOString(), drift };
  }

  private async compare(): Promise<Drift[]> {
    const { redis, keys, pool } = this.o;
    const [redisStock, redisLimits, redisHeld, stockTable, ledgerSums, ledgerLimits, ledgerHeld] =
      await Promise.all([
        readRedisStock(redis, keys),
        readRedisLimits(redis, keys),
        readHeldReservations(redis, keys),
        readStockTable(pool),
        readLedgerSums(pool),
        readLimitCounts(pool),
        openReservationIds(pool),
      ]);
    return reconcile({
      redisStock,
      stockTable,
      ledgerSums,
      redisLimits,
      ledgerLimits,
      redisHeld,
      ledgerHeld,
    });
  }
}
