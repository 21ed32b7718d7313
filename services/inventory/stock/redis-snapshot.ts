import type Redis from "ioredis";
import type { LimitRow, StockRow } from "../domain/drift";
import { figuresFromHash } from "../domain/stock-figures";
import type { StockKeys } from "./stock-keys";

/** Every key matching `pattern` (SCAN, so Redis is never blocked). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    for (const key of keys) found.add(key);
    cursor = next;
  } while (cursor !== "0");
  return [...found];
}

/** Runs `read` over `items` in pipelined chunks. */
async function chunked<T, R>(
  items: readonly T[],
  size: number,
  read: (chunk: T[]) => Promise<R[]>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await read(items.slice(i, i + size))));
  return out;
}

/** The stock counters as Redis holds them now. */
export async function readRedisStock(redis: Redis, keys: StockKeys): Promise<StockRow[]> {
  const stockKeys = await scanKeys(redis, keys.pattern("stock"));
  const hashes = await chunked(stockKeys, 500, async (chunk) => {
    const pipe = redis.pipeline();
    for (const key of chunk) pipe.hgetall(key);
    const replies = (await pipe.exec()) ?? [];
    return replies.map(([err, hash], i) => {
      if (err) throw err;
      return { skuId: keys.idOf("stock", chunk[i] as string), hash: hash as Record<string, string> };
    });
  });
  return hashes.flatMap(({ skuId, hash }) =>
    figuresFromHash(hash).map(({ warehouseId, onHand, reserved, safetyStock }) => ({
      skuId,
      warehouseId,
      onHand,
      reserved,
      safetyStock,
    })),
  );
}

/** The purchase-limit counters as Redis holds them now. */
export async function readRedisLimits(redis: Redis, keys: StockKeys): Promise<LimitRow[]> {
  const limitKeys = await scanKeys(redis, keys.pattern("limit"));
  return chunked(limitKeys, 500, async (chunk) => {
    const values = await redis.mget(...chunk);
    return chunk.map((key, i) => {
      const id = keys.idOf("limit", key);
      const cut = id.indexOf(":");
      return { skuId: id.slice(0, cut), buyerId: id.slice(cut + 1), used: Number(values[i] ?? 0) };
    });
  });
}

/** Which of the SKUs have a stock hash in Redis. */
export async function existingStockKeys(
  redis: Redis,
  keys: StockKeys,
  skuIds: readonly string[],
): Promise<boolean[]> {
  return chunked(skuIds, 1000, async (chunk) => {
    const pipe = redis.pipeline();
    for (const skuId of chunk) pipe.exists(keys.stock(skuId));
    return ((await pipe.exec()) ?? []).map(([, n]) => n === 1);
  });
}

/** Ids of the reservations Redis holds (status HELD). */
export async function readHeldReservations(redis: Redis, keys: StockKeys): Promise<string[]> {
  const resKeys = await scanKeys(redis, keys.pattern("res"));
  const held = await chunked(resKeys, 500, async (chunk) => {
    const pipe = redis.pipeline();
    for (const key of chunk) pipe.hget(key, "status");
    return ((await pipe.exec()) ?? []).map(([, status], i) => (status === "HELD" ? chunk[i] : undefined));
  });
  return held.filter((key): key is string => key !== undefined).map((key) => keys.idOf("res", key));
}
