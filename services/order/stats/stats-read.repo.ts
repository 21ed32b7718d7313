import type { Pool } from "pg";
import type { StatsPeriod } from "./stats-period";

/** What the overview reads: every figure is a sum (or a distinct count) over the daily tables of the period. */
export interface StatsRows {
  totals: {
    orders: number;
    paidOrders: number;
    gmvMinor: number;
    refunds: number;
    refundMinor: number;
    cohortPaid: number;
    cohortShipped: number;
    cohortCompleted: number;
  };
  orderingUsers: number;
  payingUsers: number;
  newPayingUsers: number;
  /** Orders flagged past their ship-by deadline during the period (read from the orders, a partial index). */
  shipOverdueOrders: number;
  buckets: { bucket: number; paidOrders: number; gmvMinor: number }[];
  provinces: { province: string; orders: number; paidOrders: number; gmvMinor: number }[];
  channels: { sourceChannel: string; orders: number; paidOrders: number; gmvMinor: number }[];
  topSkus: {
    rankBy: "units" | "amount";
    skuId: string;
    title: string | null;
    orderedUnits: number;
    orderedMinor: number;
    paidUnits: number;
    paidMinor: number;
  }[];
}

/** Top SKUs listed per ranking. */
export const TOP_SKUS = 10;

/**
 * Reads the period's figures for a shop, or the platform when `shopId` is null, in parallel queries:
 * a shop's are index ranges on (shop_id, day), the platform's on (day).
 */
export async function readStats(pool: Pool, period: StatsPeriod, shopId: string | null): Promise<StatsRows> {
  const params = shopId === null ? [period.from, period.to] : [period.from, period.to, shopId];
  const where = `day >= $1::date AND day < $2::date${shopId === null ? "" : " AND shop_id = $3"}`;
  const sum = (col: string, as: string) => `coalesce(sum(${col}), 0)::bigint AS "${as}"`;
  const dims = (table: string, key: string, as: string) =>
    pool.query(
      `SELECT ${key} AS "${as}", ${sum("orders", "orders")}, ${sum("paid_orders", "paidOrders")},
         ${sum("gmv_minor", "gmvMinor")}
       FROM ${table} WHERE ${where} GROUP BY ${key} ORDER BY 4 DESC, 2 DESC, 1`,
      params,
    );
  const [totals, users, newPaying, buckets, provinces, channels, topSkus, overdue] = await Promise.all([
    pool.query(
      `SELECT ${sum("orders", "orders")}, ${sum("paid_orders", "paidOrders")}, ${sum("gmv_minor", "gmvMinor")},
         ${sum("refunds", "refunds")}, ${sum("refund_minor", "refundMinor")}, ${sum("cohort_paid", "cohortPaid")},
         ${sum("cohort_shipped", "cohortShipped")}, ${sum("cohort_completed", "cohortCompleted")}
       FROM stats_daily WHERE ${where}`,
      params,
    ),
    pool.query(
      // One hash aggregate by buyer (two COUNT(DISTINCT)s would sort the rows twice).
      `SELECT count(*) FILTER (WHERE ordered)::bigint AS "orderingUsers",
         count(*) FILTER (WHERE paid)::bigint AS "payingUsers"
       FROM (SELECT bool_or(ordered) AS ordered, bool_or(paid) AS paid FROM stats_daily_user WHERE ${where}
             GROUP BY buyer_id) AS buyers`,
      params,
    ),
    pool.query(
      `SELECT count(*)::bigint AS n FROM stats_buyer_first_paid
       WHERE shop_id = $3 AND first_paid_day >= $1::date AND first_paid_day < $2::date`,
      [period.from, period.to, shopId ?? "*"],
    ),
    pool.query(
      `SELECT bucket, ${sum("paid_orders", "paidOrders")}, ${sum("gmv_minor", "gmvMinor")}
       FROM stats_daily_bucket WHERE ${where} GROUP BY bucket`,
      params,
    ),
    dims("stats_daily_province", "province", "province"),
    dims("stats_daily_channel", "source_channel", "sourceChannel"),
    pool.query(
      `WITH agg AS MATERIALIZED (
         SELECT sku_id, ${sum("ordered_units", "orderedUnits")}, ${sum("ordered_minor", "orderedMinor")},
           ${sum("paid_units", "paidUnits")}, ${sum("paid_minor", "paidMinor")}
         FROM stats_daily_sku WHERE ${where} GROUP BY sku_id
       ), ranked AS (
         SELECT 'units' AS "rankBy", row_number() OVER (ORDER BY "paidUnits" DESC, "orderedUnits" DESC, sku_id) AS pos,
           * FROM agg
         UNION ALL
         SELECT 'amount', row_number() OVER (ORDER BY "paidMinor" DESC, "orderedMinor" DESC, sku_id), * FROM agg
       )
       SELECT r."rankBy", r.sku_id AS "skuId", t.title, r."orderedUnits", r."orderedMinor", r."paidUnits",
         r."paidMinor"
       FROM ranked r LEFT JOIN stats_sku t USING (sku_id) WHERE r.pos <= ${TOP_SKUS} ORDER BY r."rankBy" DESC, r.pos`,
      params,
    ),
    pool.query(
      `SELECT count(*)::bigint AS n FROM orders
       WHERE ship_overdue_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')
         AND ship_overdue_at < ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')${shopId === null ? "" : " AND shop_id = $3"}`,
      params,
    ),
  ]);
  return {
    totals: totals.rows[0],
    orderingUsers: users.rows[0].orderingUsers,
    payingUsers: users.rows[0].payingUsers,
    newPayingUsers: newPaying.rows[0].n,
    shipOverdueOrders: overdue.rows[0].n,
    buckets: buckets.rows,
    provinces: provinces.rows,
    channels: channels.rows,
    topSkus: topSkus.rows,
  };
}
