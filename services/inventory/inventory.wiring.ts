import type Redis from "ioredis";
import type { Pool } from "pg";
import { config } from "../../shared/config/config";
import { createRedis } from "../../shared/redis";
import { CatalogCache } from "./catalog/catalog-cache";
import { CatalogDesk } from "./catalog/catalog-desk";
import { LedgerWriter, type LedgerWriterOptions } from "./ledger/ledger-writer";
import { StockRebuilder } from "./ledger/rebuild";
import { AfterPaymentDesk } from "./stock/after-payment-desk";
import { StockDesk } from "./stock/stock-desk";
import { StockKeys } from "./stock/stock-keys";
import { defineStockScripts } from "./stock/stock-scripts";
import { findSkus, listWarehouses } from "./store/catalog.repo";

/** The parts of one inventory instance, built when the service starts. */
export interface Inventory {
  redis: Redis;
  blocking: Redis;
  cache: CatalogCache;
  stock: StockDesk;
  afterPayment: AfterPaymentDesk;
  catalog: CatalogDesk;
  writer: LedgerWriter;
  rebuilder: StockRebuilder;
}

/** A catalog change every pod must hear about (their caches drop the entry). */
export interface CatalogChange {
  skuId?: string;
  warehouses?: boolean;
}

/** Connects Redis, loads the scripts and builds the desks; the ledger writer is started by the caller. */
export function wireInventory(o: {
  pool: Pool;
  nodeID: string;
  logger: LedgerWriterOptions["logger"];
  broadcast: (change: CatalogChange) => void;
  onNotReady: () => void;
}): Inventory {
  const { pool, logger } = o;
  const keys = new StockKeys(config);
  // Fail a command after a few retries rather than queue it forever while Redis is away.
  const redis = createRedis(config, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const blocking = createRedis(config);
  const scripts = defineStockScripts(redis);
  const cache = new CatalogCache({
    skus: async (ids) => (await findSkus(pool, ids)).map(({ createdAt: _created, ...sku }) => sku),
    warehouses: () => listWarehouses(pool),
  });
  const stock = new StockDesk({ redis, scripts, keys, catalog: cache, onNotReady: o.onNotReady });
  const afterPayment = new AfterPaymentDesk({
    redis,
    scripts,
    keys,
    catalog: cache,
    pool,
    onNotReady: o.onNotReady,
  });
  const catalog = new CatalogDesk(pool, cache, stock, (change) => {
    // Forget locally at once; the broadcast reaches the other pods.
    if (change.skuId) cache.forgetSku(change.skuId);
    if (change.warehouses) cache.forgetWarehouses();
    o.broadcast(change);
  });
  const writer = new LedgerWriter({ redis, blocking, pool, keys, logger, consumer: o.nodeID });
  const rebuilder = new StockRebuilder({ redis, scripts, keys, pool, writer });
  return { redis, blocking, cache, stock, afterPayment, catalog, writer, rebuilder };
}
