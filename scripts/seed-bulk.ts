import { Client } from "pg";
import { DEFAULT_ORDER_TIMERS } from "../services/order/domain/order-config";
import { STANDARD_ORDER_TABLE } from "../services/order/domain/order-states";
import { rebuildStats } from "../services/order/stats/stats-rebuild";
import { shanghaiDaySql } from "../services/order/stats/stats-write.repo";
import { loadConfig } from "../shared/config/config";
import { migrate, migrationsDir } from "../shared/db/migrate";
import { createPool, schemaName } from "../shared/db/pool";
import { OUTBOX_INBOX_SQL } from "../shared/outbox/outbox.sql";

/**
 * A realistic order data set for query benchmarks, written with bulk INSERT ... SELECT generate_series
 * straight into the order schema, and the statistics computed from it in SQL (stats-rebuild.ts).
 *
 *   npm run seed:bulk -- --orders 1000000 [--buyers 200000] [--shops 200] [--schema-prefix bulk_]
 *   npm run seed:bulk -- --drop [--schema-prefix bulk_]
 *
 * The schema is `<prefix>order` (prefix: --schema-prefix, else DB_SCHEMA_PREFIX, else `bulk_`); the
 * migrations run first. `--drop` drops every schema starting with the prefix (the order schema and any
 * other service's a benchmark created beside it). Orders are created over the last 12 months.
 */

interface Options {
  orders: number;
  buyers: number;
  shops: number;
  prefix: string;
  drop: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    orders: 1_000_000,
    buyers: 200_000,
    shops: 200,
    prefix: process.env.DB_SCHEMA_PREFIX || "bulk_",
    drop: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--orders") opts.orders = Number(value());
    else if (arg === "--buyers") opts.buyers = Number(value());
    else if (arg === "--shops") opts.shops = Number(value());
    else if (arg === "--schema-prefix") opts.prefix = value();
    else if (arg === "--drop") opts.drop = true;
    else throw new Error(`Unknown option ${arg}`);
  }
  for (const key of ["orders", "buyers", "shops"] as const)
    if (!Number.isInteger(opts[key]) || opts[key] < 1) throw new Error(`--${key} must be a positive integer`);
  if (opts.buyers <= 500) throw new Error("--buyers must be more than 500 (500 of them are heavy buyers)");
  return opts;
}

const PROVINCES: [string, number][] = [
  ["Guangdong", 12],
  ["Zhejiang", 9],
  ["Jiangsu", 9],
  ["Shandong", 7],
  ["Shanghai", 6],
  ["Beijing", 6],
  ["Henan", 5],
  ["Sichuan", 5],
  ["Fujian", 5],
  ["Hubei", 4],
  ["Hunan", 4],
  ["Hebei", 4],
  ["Anhui", 3],
  ["Shaanxi", 3],
  ["Liaoning", 3],
  ["Chongqing", 3],
  ["Jiangxi", 2],
  ["Guangxi", 2],
  ["Yunnan", 2],
  ["Tianjin", 2],
  ["Shanxi", 2],
  ["Heilongjiang", 1],
  ["Jilin", 1],
  ["Guizhou", 1],
  ["Inner Mongolia", 1],
  ["Xinjiang", 1],
  ["Gansu", 1],
  ["Hainan", 1],
  ["Ningxia", 0.5],
  ["Qinghai", 0.5],
  ["Tibet", 0.3],
];
const CHANNELS: [string, number][] = [
  ["APP", 50],
  ["MINI_PROGRAM", 25],
  ["H5", 10],
  ["PC", 10],
  ["OPEN_API", 5],
];

/** Values and the upper bounds of their cumulative shares, for `values[width_bucket(random(), bounds) + 1]`. */
function weighted(choices: [string, number][]): { values: string[]; bounds: number[] } {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const bounds = choices.slice(0, -1).map(([, w]) => {
    acc += w;
    return acc / total;
  });
  return { values: choices.map(([v]) => v), bounds };
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  console.log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function dropSchemas(client: Client, prefix: string): Promise<void> {
  const { rows } = await client.query<{ nspname: string }>(
    "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)",
    [prefix],
  );
  for (const { nspname } of rows) {
    await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
    console.log(`dropped schema ${nspname}`);
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const cfg = { ...loadConfig(), dbSchemaPrefix: opts.prefix };
  if (!opts.prefix) throw new Error("Refusing to seed or drop without a schema prefix");
  const schema = schemaName(cfg, "order");
  const client = new Client({ connectionString: cfg.databaseUrl });
  await client.connect();
  try {
    if (opts.drop) return await dropSchemas(client, opts.prefix);
    const started = Date.now();
    const pool = createPool(cfg, schema);
    await timed("migrations", () => migrate(pool, schema, migrationsDir("order"), OUTBOX_INBOX_SQL));
    await pool.end();
    await client.query(`SET search_path TO "${schema}"`);
    const { rows } = await client.query("SELECT EXISTS (SELECT 1 FROM orders) AS seeded");
    if (rows[0].seeded) throw new Error(`${schema}.orders is not empty: drop it first (--drop)`);
    await client.query(
      "SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'; SET synchronous_commit = off",
    );
    // Skips the per-row foreign key checks of order_lines (needs a superuser; the data is consistent by construction).
    await client.query("SET session_replication_role = replica").catch(() => undefined);
    const indexes = await timed("drop secondary indexes", () => dropSecondaryIndexes(client));
    await timed("stage orders", () => stageOrders(client, opts));
    await timed("parent_orders", () => client.query(INSERT_PARENTS));
    await timed("orders", () =>
      client.query(INSERT_ORDERS, [JSON.stringify(DEFAULT_ORDER_TIMERS), STANDARD_ORDER_TABLE.version]),
    );
    await timed("order_lines", () => client.query(INSERT_LINES));
    await timed("recreate indexes", async () => {
      for (const sql of indexes) await client.query(sql);
    });
    await timed("statistics", async () => {
      await client.query("BEGIN");
      await rebuildStats(client);
      await client.query(INSERT_REFUNDS);
      await client.query("COMMIT");
    });
    await client.query("DROP TABLE seed_orders, seed_lines");
    await timed("vacuum analyze", async () => {
      const tables = await client.query<{ relname: string }>(
        "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()",
      );
      for (const { relname } of tables.rows) await client.query(`VACUUM ANALYZE "${relname}"`);
    });
    const counts = await client.query(
      `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_lines) AS lines,
         (SELECT count(DISTINCT buyer_id) FROM orders) AS buyers, (SELECT count(DISTINCT shop_id) FROM orders) AS shops,
         pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    console.log(JSON.stringify({ schema, ...counts.rows[0], seconds: (Date.now() - started) / 1000 }));
  } finally {
    await client.end();
  }
}

/** Drops the secondary indexes of the bulk-loaded tables and returns their definitions (rebuilt after loading). */
async function dropSecondaryIndexes(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename IN ('orders', 'order_lines', 'parent_orders')
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
                       AND c.connamespace = current_schema()::regnamespace)`,
  );
  for (const { indexname } of rows) await client.query(`DROP INDEX "${indexname}"`);
  return rows.map((r) => r.indexdef);
}

/**
 * One staging row per child order: shop (a few big shops: shop 1 takes ~9%), buyer (10% of orders from
 * 500 heavy buyers), province and channel by weight, created over 365 days, and its fate: unpaid (12%),
 * paid then out of stock (0.5%) or fully refunded before shipment (2.5%), else shipped, completed,
 * finished as time allows. Lines: 1-3 distinct SKUs of the shop, popular SKUs more often.
 */
async function stageOrders(client: Client, opts: Options): Promise<void> {
  const provinces = weighted(PROVINCES);
  const channels = weighted(CHANNELS);
  const text = (values: string[]) =>
    `ARRAY[${values.map((v) => client.escapeLiteral(v)).join(", ")}]::text[]`;
  const floats = (values: number[]) => `ARRAY[${values.join(", ")}]::float8[]`;
  await client.query("SELECT setseed(0.42)");
  await client.query(
    `CREATE UNLOGGED TABLE seed_orders AS
     WITH base AS (
       SELECT i, least(${opts.shops}, 1 + floor(${opts.shops} * power(random(), 2.2))::int) AS shop,
         CASE WHEN random() < 0.1 THEN 1 + floor(random() * 500)::int
              ELSE 501 + floor(random() * ${opts.buyers - 500})::int END AS buyer,
         (${text(provinces.values)})[width_bucket(random(), ${floats(provinces.bounds)}) + 1] AS province,
         (${text(channels.values)})[width_bucket(random(), ${floats(channels.bounds)}) + 1] AS channel,
         now() - random() * interval '365 days' AS created_at,
         random() AS fate, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
         1 + (random() < 0.35)::int + (random() < 0.1)::int AS n_lines, random() AS sku_pick
       FROM generate_series(1, ${opts.orders}) AS i
     ), paid AS (
       SELECT b.*, CASE WHEN fate >= 0.12 THEN created_at + r1 * least(interval '10 minutes', now() - created_at) END
         AS paid_at
       FROM base b
     ), shipped AS (
       SELECT p.*, CASE WHEN paid_at IS NOT NULL AND fate >= 0.15 AND paid_at + interval '2 hours' + r2 * interval '46 hours' < now()
         THEN paid_at + interval '2 hours' + r2 * interval '46 hours' END AS shipped_at
       FROM paid p
     )
     SELECT s.*, CASE WHEN shipped_at + interval '2 days' + r3 * interval '8 days' < now()
         THEN shipped_at + interval '2 days' + r3 * interval '8 days' END AS completed_at,
       'bulk-shop-' || lpad(shop::text, 4, '0') AS shop_id, 'bulk-buyer-' || lpad(buyer::text, 7, '0') AS buyer_id,
       '9' || lpad(i::text, 17, '0') AS order_no, '8' || lpad(i::text, 17, '0') AS parent_order_no,
       20 + (shop * 37) % 181 AS shop_skus
     FROM shipped s`,
  );
  await client.query(
    `CREATE UNLOGGED TABLE seed_lines AS
     SELECT o.order_no, j AS position, sku.sku_id, 1 + (random() < 0.2)::int + (random() < 0.05)::int AS quantity,
       (round(exp(ln(990) + power((hashtext(sku.sku_id)::bigint & 2147483647) / 2147483647.0, 1.8) * ln(300000 / 990.0)) / 10) * 10)::bigint
         AS unit_price
     FROM seed_orders o, generate_series(1, o.n_lines) AS j,
       LATERAL (SELECT o.shop_id || '-sku-' ||
         lpad((1 + (floor(o.shop_skus * power(o.sku_pick, 2))::int + (j - 1) * 7) % o.shop_skus)::text, 3, '0')
         AS sku_id) AS sku`,
  );
  await client.query(
    `CREATE INDEX ON seed_lines (order_no);
     ALTER TABLE seed_orders ADD COLUMN goods_minor bigint;
     UPDATE seed_orders o SET goods_minor = l.goods
     FROM (SELECT order_no, sum(unit_price * quantity) AS goods FROM seed_lines GROUP BY order_no) l
     WHERE l.order_no = o.order_no`,
  );
}

/** What each staged order is now: status, times, refunds (read by the INSERTs below). */
const ORDER_STATE = `
  SELECT o.*, goods_minor + shipping AS payable, CASE
      WHEN paid_at IS NULL AND created_at > now() - interval '30 minutes' THEN 'PENDING_PAYMENT'
      WHEN paid_at IS NULL OR fate < 0.15 THEN 'CLOSED'
      WHEN shipped_at IS NULL THEN 'AWAITING_SHIPMENT'
      WHEN completed_at IS NULL THEN 'SHIPPED'
      WHEN completed_at + interval '15 days' < now() THEN 'FINISHED'
      ELSE 'COMPLETED' END AS status,
    CASE WHEN paid_at IS NULL THEN NULL
         WHEN fate < 0.125 THEN 'OUT_OF_STOCK'
         WHEN fate < 0.15 THEN 'FULL_REFUND' END AS paid_close,
    CASE WHEN fate < 0.125 THEN paid_at
         ELSE paid_at + least(interval '2 hours', (now() - paid_at) / 2) END AS paid_closed_at
  FROM (SELECT *, CASE WHEN goods_minor < 9900 THEN 800 ELSE 0 END AS shipping FROM seed_orders) o`;

const INSERT_PARENTS = `
  INSERT INTO parent_orders (parent_order_no, buyer_id, order_type, source_channel, totals, coupon_ids, coins_used,
    member_tier, price_steps, payment_deadline, created_at)
  SELECT parent_order_no, buyer_id, 'STANDARD', channel,
    jsonb_build_object('goodsMinor', goods_minor, 'itemDiscountMinor', 0, 'memberDiscountMinor', 0,
      'shopDiscountMinor', 0, 'couponDiscountMinor', 0, 'coinsDeductionMinor', 0, 'platformDiscountMinor', 0,
      'priceAdjustmentMinor', 0, 'shippingFeeMinor', shipping, 'payableMinor', payable),
    '{}', 0, 'NORMAL', '[]', created_at + interval '30 minutes', created_at
  FROM (${ORDER_STATE}) s`;

const INSERT_ORDERS = `
  INSERT INTO orders (order_no, parent_order_no, order_type, table_version, shop_id, buyer_id, status,
    after_sales_status, source_channel, address, province, goods_minor, item_discount_minor, member_discount_minor,
    shop_discount_minor, coupon_discount_minor, coins_deduction_minor, shipping_fee_minor, payable_minor,
    paid_minor, refunded_minor, timers, reviewed, payment_deadline, created_at, paid_at, shipped_at,
    completed_at, closed_at, close_reason, auto_confirm_at, finish_at, payment_no)
  SELECT order_no, parent_order_no, 'STANDARD', $2, shop_id, buyer_id, status,
    CASE WHEN paid_close = 'FULL_REFUND' THEN 'REFUNDED'
         WHEN status IN ('SHIPPED', 'COMPLETED') AND r4 < 0.02 THEN 'IN_PROGRESS'
         WHEN status = 'FINISHED' AND r4 < 0.02 THEN 'PARTIALLY_REFUNDED'
         ELSE 'NONE' END,
    channel,
    jsonb_build_object('name', 'Buyer ' || buyer, 'phone', '13800000000', 'province', province, 'city', 'City',
      'district', 'District', 'detail', 'No. ' || i || ' Road'),
    province, goods_minor, 0, 0, 0, 0, 0, shipping, payable,
    CASE WHEN paid_at IS NULL THEN 0 ELSE payable END,
    CASE WHEN paid_close IS NOT NULL THEN payable
         WHEN status = 'FINISHED' AND r4 < 0.02 THEN payable / 3 ELSE 0 END,
    $1::jsonb, status IN ('COMPLETED', 'FINISHED') AND r4 < 0.6, created_at + interval '30 minutes', created_at,
    paid_at, shipped_at, completed_at,
    CASE WHEN status = 'CLOSED' THEN coalesce(paid_closed_at, created_at + interval '30 minutes') END,
    CASE WHEN status = 'CLOSED' THEN coalesce(paid_close, CASE WHEN r4 < 0.5 THEN 'PAYMENT_TIMEOUT' ELSE 'CANCELLED' END) END,
    CASE WHEN status = 'SHIPPED' THEN shipped_at + interval '10 days' END,
    CASE WHEN status = 'COMPLETED' THEN completed_at + interval '15 days' END,
    CASE WHEN paid_at IS NOT NULL THEN 'P' || order_no END
  FROM (${ORDER_STATE}) s`;

const INSERT_LINES = `
  INSERT INTO order_lines (order_no, line_id, position, sku_id, title, spec, image_url, category, quantity,
    unit_price_minor, list_price_minor, goods_minor, allocations, paid_minor, unit_paid_minor, warehouse_id,
    deduction_strategy)
  SELECT order_no, 'L' || position, position, sku_id, 'Item ' || sku_id, 'standard',
    'https://img.example/' || sku_id || '.jpg', 'general', quantity, unit_price, unit_price,
    unit_price * quantity, '[]', unit_price * quantity, array_fill(unit_price, ARRAY[quantity]), 'bulk-wh-1',
    'RESERVE_ON_ORDER'
  FROM seed_lines`;

/**
 * The refunds the seed implies, on the day they happened: the whole payable of a child closed out of stock
 * (at payment) or refunded before shipment (when it closed), a third of some finished orders (3 days after completion).
 */
const INSERT_REFUNDS = `
  INSERT INTO stats_daily AS s (shop_id, day, refunds, refund_minor)
  SELECT shop_id, ${shanghaiDaySql("at")}, count(*), sum(amount) FROM (
    SELECT shop_id, closed_at AS at, refunded_minor AS amount
    FROM orders WHERE close_reason IN ('OUT_OF_STOCK', 'FULL_REFUND')
    UNION ALL
    SELECT shop_id, completed_at + interval '3 days', refunded_minor FROM orders
    WHERE after_sales_status = 'PARTIALLY_REFUNDED'
  ) r WHERE at < now() GROUP BY 1, 2
  ON CONFLICT (shop_id, day) DO UPDATE SET refunds = s.refunds + EXCLUDED.refunds,
    refund_minor = s.refund_minor + EXCLUDED.refund_minor`;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
