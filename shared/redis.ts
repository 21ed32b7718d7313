import Redis, { type RedisOptions } from "ioredis";
import type { AppConfig } from "./config/config";

/**
 * A Redis connection. `maxRetriesPerRequest: null` is what BullMQ workers
 * need; plain commands still fail fast on a closed connection.
 */
export function createRedis(cfg: Pick<AppConfig, "redisUrl">, extra: RedisOptions = {}): Redis {
  return new Redis(cfg.redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

/** A key under the run's prefix: `redisKey(cfg, "stock", sku)` -> `oms:stock:SKU1`. */
export function redisKey(cfg: Pick<AppConfig, "redisPrefix">, ...parts: string[]): string {
  return `${cfg.redisPrefix}${parts.join(":")}`;
}
