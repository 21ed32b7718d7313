import type { Queryable } from "../../../shared/db/pool";
import { BUCKET_LOWER_BOUNDS_MINOR } from "./stats-figures";
import { shanghaiDaySql } from "./stats-write.repo";

/**
 * Recomputes the daily figures from the order tables, with the definitions the event consumers apply one
 * order at a time (stats-write.repo.ts): created day for orders, ordering users, ordered SKUs; paid day
 * (`paid_at`) for GMV, paid orders, buckets, paying users, paid SKUs; the creation day's funnel from the
 * state reached (SHIPPED, COMPLETED, FINISHED: every package handed over; `completed_at`: completed).
 * Refunds come from `order_refunds` (the order service's record of each refund, on the day the payment
 * service completed it), as the `refund.succeeded` consumer counts them: refunds of a child order only.
 *
 * For the bulk seed and as a backfill tool; `shopIds` limits it to some shops (their buyers' platform
 * first paid day is recomputed over all their orders). Runs in the caller's transaction.
 */
export async function rebuildStats(tx: Queryable, shopIds: string[] | null = null): Promise<void> {
  await tx.query(
    `CREATE TEMP TABLE stats_source ON COMMIT DROP AS
     SELECT order_no, shop_id, buyer_id, province, source_channel, paid_minor, paid_at IS NOT NULL AS paid,
       ${shanghaiDaySql("created_at")} AS created_day, ${shanghaiDaySql("paid_at")} AS paid_day,
       status IN ('SHIPPED', 'COMPLETED', 'FINISHED') AS shipped, completed_at IS NOT NULL AS completed,
       width_bucket(paid_minor, $2::bigint[]) AS bucket
     FROM orders WHERE $1::text[] IS NULL OR shop_id = ANY($1)`,
    [shopIds, BUCKET_LOWER_BOUNDS_MINOR],
  );
  await tx.query("ANALYZE stats_source");
  const scope = shopIds === null ? "true" : "shop_id = ANY($1)";
  const args = shopIds === null ? [] : [shopIds];
  for (const table of [
    "stats_daily_province",
    "stats_daily_channel",
    "stats_daily_bucket",
    "stats_daily_sku",
  ])
    await tx.query(`DELETE FROM ${table} WHERE ${scope}`, args);
  await tx.query(`DELETE FROM stats_daily_user WHERE ${scope}`, args);
  await tx.query(`DELETE FROM stats_buyer_first_paid WHERE ${scope}`, args);
  await tx.query(
    `UPDATE stats_daily SET orders = 0, paid_orders = 0, gmv_minor = 0, cohort_paid = 0, cohort_shipped = 0,
       cohort_completed = 0, refunds = 0, refund_minor = 0 WHERE ${scope}`,
    args,
  );
  for (const sql of REBUILD_SQL) await tx.query(sql);
  await tx.query(
    `DELETE FROM stats_buyer_first_paid f USING (SELECT DISTINCT buyer_id FROM stats_source) b
     WHERE f.shop_id = '*' AND f.buyer_id = b.buyer_id`,
  );
  await tx.query(
    `INSERT INTO stats_buyer_first_paid (shop_id, buyer_id, first_paid_day)
     SELECT '*', o.buyer_id, min(${shanghaiDaySql("o.paid_at")}) FROM orders o
     WHERE o.paid_at IS NOT NULL AND o.buyer_id IN (SELECT buyer_id FROM stats_source)
     GROUP BY o.buyer_id`,
  );
}

const dims = (table: string, key: string) =>
  `INSERT INTO ${table} (shop_id, day, ${key}, orders, paid_orders, gmv_minor)
   SELECT shop_id, day, ${key}, sum(orders), sum(paid_orders), sum(gmv_minor) FROM (
     SELECT shop_id, created_day AS day, ${key}, 1 AS orders, 0 AS paid_orders, 0::bigint AS gmv_minor
     FROM stats_source
     UNION ALL
     SELECT shop_id, paid_day, ${key}, 0, 1, paid_minor FROM stats_source WHERE paid
   ) x GROUP BY shop_id, day, ${key}`;

/** One statement per table, all reading `stats_source`. */
const REBUILD_SQL = [
  `INSERT INTO stats_daily AS s (shop_id, day, orders, paid_orders, gmv_minor, cohort_paid, cohort_shipped,
     cohort_completed)
   SELECT shop_id, day, sum(orders), sum(paid_orders), sum(gmv_minor), sum(cohort_paid), sum(cohort_shipped),
     sum(cohort_completed)
   FROM (
     SELECT shop_id, created_day AS day, 1 AS orders, 0 AS paid_orders, 0::bigint AS gmv_minor,
       paid::int AS cohort_paid, shipped::int AS cohort_shipped, completed::int AS cohort_completed
     FROM stats_source
     UNION ALL
     SELECT shop_id, paid_day, 0, 1, paid_minor, 0, 0, 0 FROM stats_source WHERE paid
   ) x GROUP BY shop_id, day
   ON CONFLICT (shop_id, day) DO UPDATE SET orders = EXCLUDED.orders, paid_orders = EXCLUDED.paid_orders,
     gmv_minor = EXCLUDED.gmv_minor, cohort_paid = EXCLUDED.cohort_paid, cohort_shipped = EXCLUDED.cohort_shipped,
     cohort_completed = EXCLUDED.cohort_completed`,
  `INSERT INTO stats_daily AS s (shop_id, day, refunds, refund_minor)
   SELECT o.shop_id, ${shanghaiDaySql("r.refunded_at")}, count(*), sum(r.amount_minor)
   FROM order_refunds r JOIN stats_source o USING (order_no) GROUP BY 1, 2
   ON CONFLICT (shop_id, day) DO UPDATE SET refunds = EXCLUDED.refunds, refund_minor = EXCLUDED.refund_minor`,
  dims("stats_daily_province", "province"),
  dims("stats_daily_channel", "source_channel"),
  `INSERT INTO stats_daily_bucket (shop_id, day, bucket, paid_orders, gmv_minor)
   SELECT shop_id, paid_day, bucket, count(*), sum(paid_minor) FROM stats_source WHERE paid
   GROUP BY shop_id, paid_day, bucket`,
  `INSERT INTO stats_daily_sku (shop_id, day, sku_id, ordered_units, ordered_minor, paid_units, paid_minor)
   SELECT shop_id, day, sku_id, sum(ordered_units), sum(ordered_minor), sum(paid_units), sum(paid_minor) FROM (
     SELECT o.shop_id, o.created_day AS day, l.sku_id, l.quantity AS ordered_units, l.paid_minor AS ordered_minor,
       0 AS paid_units, 0::bigint AS paid_minor
     FROM stats_source o JOIN order_lines l USING (order_no)
     UNION ALL
     SELECT o.shop_id, o.paid_day, l.sku_id, 0, 0, l.quantity, l.paid_minor
     FROM stats_source o JOIN order_lines l USING (order_no) WHERE o.paid
   ) x GROUP BY shop_id, day, sku_id`,
  `INSERT INTO stats_sku AS s (sku_id, shop_id, title)
   SELECT DISTINCT ON (l.sku_id) l.sku_id, o.shop_id, l.title
   FROM stats_source o JOIN order_lines l USING (order_no) ORDER BY l.sku_id, o.created_day DESC
   ON CONFLICT (sku_id) DO UPDATE SET title = EXCLUDED.title`,
  `INSERT INTO stats_daily_user (shop_id, day, buyer_id, ordered, paid)
   SELECT shop_id, day, buyer_id, bool_or(ordered), bool_or(paid) FROM (
     SELECT shop_id, created_day AS day, buyer_id, true AS ordered, false AS paid FROM stats_source
     UNION ALL
     SELECT shop_id, paid_day, buyer_id, false, true FROM stats_source WHERE paid
   ) x GROUP BY shop_id, day, buyer_id`,
  `INSERT INTO stats_buyer_first_paid (shop_id, buyer_id, first_paid_day)
   SELECT shop_id, buyer_id, min(paid_day) FROM stats_source WHERE paid GROUP BY shop_id, buyer_id`,
];
