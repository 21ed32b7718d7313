import type { Pool } from "pg";
import { migrate, migrationsDir } from "../../../shared/db/migrate";
import { createPool, schemaName } from "../../../shared/db/pool";
import { OUTBOX_INBOX_SQL } from "../../../shared/outbox/outbox.sql";
import type { TestOrder } from "../../support/order-rows";
import { cfg } from "../shared/harness";

/** Every table the statistics' consumers write, with the columns its rows are ordered by. */
export const STATS_TABLES: Record<string, string> = {
  stats_daily: "shop_id, day",
  stats_daily_province: "shop_id, day, province",
  stats_daily_channel: "shop_id, day, source_channel",
  stats_daily_bucket: "shop_id, day, bucket",
  stats_daily_sku: "shop_id, day, sku_id",
  stats_sku: "sku_id",
  stats_daily_user: "shop_id, day, buyer_id",
  stats_buyer_first_paid: "shop_id, buyer_id",
};

/** A pool on a fresh schema of this run with the order service's tables, its inbox and statistics. */
export async function openOrderSchema(name: string): Promise<Pool> {
  const schema = schemaName(cfg, name);
  const pool = createPool(cfg, schema);
  await migrate(pool, schema, migrationsDir("order"), OUTBOX_INBOX_SQL);
  return pool;
}

/** Empties the statistics and the inbox, so a run counts from nothing. */
export async function resetStats(pool: Pool): Promise<void> {
  await pool.query(`TRUNCATE ${Object.keys(STATS_TABLES).join(", ")}, inbox`);
}

/** The full contents of every statistics table, and the inbox's keys. */
export async function statsSnapshot(pool: Pool): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(STATS_TABLES))
    out[table] = (await pool.query(`SELECT * FROM ${table} ORDER BY ${key}`)).rows;
  out.inbox = (await pool.query("SELECT consumer, event_id FROM inbox ORDER BY 1, 2")).rows;
  return out;
}

const SHOPS = ["shopA", "shopB", "shopC"];
const BUYERS = ["u1", "u2", "u3", "u4", "u5"];
const PROVINCES = ["Zhejiang", "Guangdong", "Sichuan"];
const CHANNELS = ["APP", "H5", "PC", "MINI_PROGRAM"];
/** Across every amount bucket and on its bounds (fen). */
const AMOUNTS = [5_000, 10_000, 29_999, 30_000, 60_000, 99_999, 100_000, 250_000];

/**
 * `n` orders over three shops, five buyers, provinces, channels and amount buckets, created every 5 h from
 * 9 March 2024 15:30 UTC (so around Shanghai midnights) and paid 0-14 h later (on the same day or the next)
 * except every fourth; 1-3 lines each, one SKU sometimes on two lines, titles changing from order to order.
 */
export function testOrders(prefix: string, n: number): TestOrder[] {
  const base = Date.parse("2024-03-09T15:30:00Z");
  return Array.from({ length: n }, (_x, i) => {
    const shopId = `${prefix}-${SHOPS[i % SHOPS.length]}`;
    const created = base + i * 5 * 3_600_000;
    const sku = (k: number) => `${shopId}-sku${k}`;
    const amountMinor = AMOUNTS[i % AMOUNTS.length]!;
    const lineCount = 1 + (i % 3);
    const lines = Array.from({ length: lineCount }, (_y, j) => ({
      skuId: sku(j === 2 ? 0 : (i + j) % 3),
      title: `Item ${sku((i + j) % 3)} v${i % 2}`,
      quantity: 1 + ((i + j) % 4),
      amountMinor: Math.floor(amountMinor / lineCount) + (j === 0 ? amountMinor % lineCount : 0),
    }));
    return {
      orderNo: `${prefix}-${String(i).padStart(3, "0")}`,
      shopId,
      buyerId: `${prefix}-${BUYERS[(i * 7) % BUYERS.length]}`,
      province: PROVINCES[i % PROVINCES.length]!,
      channel: CHANNELS[i % CHANNELS.length]!,
      createdAt: new Date(created).toISOString(),
      paidAt: i % 4 === 3 ? null : new Date(created + (i % 3) * 7 * 3_600_000).toISOString(),
      amountMinor,
      lines,
    };
  });
}
