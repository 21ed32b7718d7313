import type { AppConfig } from "../../../shared/config/config";
import { redisKey } from "../../../shared/redis";

/**
 * The inventory's Redis key layout. Every key carries the `{inv}` hash tag so
 * that the multi-key Lua scripts stay valid on a Redis Cluster (one slot).
 */
export class StockKeys {
  constructor(private readonly cfg: Pick<AppConfig, "redisPrefix">) {}

  /** Hash per SKU: `<warehouseId>:on`, `<warehouseId>:res`, `<warehouseId>:safe`. */
  stock(skuId: string): string {
    return redisKey(this.cfg, "{inv}", "stock", skuId);
  }

  /**
   * Hash per reservation: `status`, `buyer`, `prov`, `l:<skuId>` = the line's JSON, and per applied
   * shipment `sh:<shipmentId>` / release `ur:<releaseId>` what it took.
   */
  reservation(reservationId: string): string {
    return redisKey(this.cfg, "{inv}", "res", reservationId);
  }

  /** Units of a SKU a buyer holds in open and paid orders (only for SKUs with a purchase limit). */
  limit(skuId: string, buyerId: string): string {
    return redisKey(this.cfg, "{inv}", "limit", skuId, buyerId);
  }

  /** Set when a return was restocked, holding what it added; answers repeats for the retention time. */
  restock(returnId: string): string {
    return redisKey(this.cfg, "{inv}", "restock", returnId);
  }

  /** The stream of movements waiting for the ledger writer (the outbox living in Redis). */
  get ledger(): string {
    return redisKey(this.cfg, "{inv}", "ledger");
  }

  /** Stream entries the writer could not decode, kept for an operator. */
  get ledgerDead(): string {
    return redisKey(this.cfg, "{inv}", "ledger-dead");
  }

  /** Present while the counters are complete; every script refuses to run without it. */
  get built(): string {
    return redisKey(this.cfg, "{inv}", "built");
  }

  /** Held by the pod that rebuilds. */
  get rebuildLock(): string {
    return redisKey(this.cfg, "{inv}", "rebuild-lock");
  }

  /** A SCAN pattern for one kind of key (`stock`, `res`, `limit`). */
  pattern(kind: "stock" | "res" | "limit"): string {
    return redisKey(this.cfg, "{inv}", kind, "*");
  }

  /** The id part of a key matched by `pattern(kind)`. */
  idOf(kind: "stock" | "res" | "limit", key: string): string {
    return key.slice(redisKey(this.cfg, "{inv}", kind, "").length);
  }
}

/** Consumer group of the ledger writers (one per system; pods are its consumers). */
export const LEDGER_GROUP = "ledger-writer";

/** How long a closed reservation record (released, or every paid unit shipped or given back) or a restock marker is kept to answer retries (7 days). */
export const CLOSED_RESERVATION_TTL_S = 7 * 24 * 3600;
