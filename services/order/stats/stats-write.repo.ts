import type { Queryable } from "../../../shared/db/pool";
import { type InboxKey, inboxRowCte, inboxRowParams } from "../../../shared/outbox/inbox";
import { BUCKET_LOWER_BOUNDS_MINOR } from "./stats-figures";
import { STATS_TIME_ZONE } from "./stats-period";

/**
 * The daily figures' increments for one fact about one child order, each ONE statement that reads the
 * order (and its lines) from the order's own tables and upserts every counter it moves, and records the
 * event in the consumer's inbox in the same statement (`inboxRowCte`), so an event counts once. Rows are locked in a fixed order
 * (stats_daily first, then days and SKUs ascending) so concurrent handlers cannot deadlock on them.
 * Each returns false when the order is not there (or not paid, for `recordPaid`) or the event was counted
 * before: nothing was counted.
 */

/** The Asia/Shanghai calendar day of a timestamptz expression. */
export const shanghaiDaySql = (expr: string) => `((${expr}) AT TIME ZONE '${STATS_TIME_ZONE}')::date`;

const counted = (rows: { n: number }[]) => (rows[0]?.n ?? 0) > 0;

/** A child order was created: orders, per province / channel / SKU (ordered), the ordering user. */
export async function recordPlaced(q: Queryable, orderNo: string, once: InboxKey): Promise<boolean> {
  const { rows } = await q.query<{ n: number }>(
    `WITH ${inboxRowCte(2)}, o AS (
       SELECT shop_id, buyer_id, province, source_channel, ${shanghaiDaySql("created_at")} AS day
       FROM orders WHERE order_no = $1 AND EXISTS (SELECT 1 FROM inbox_row)
     ), l AS (
       SELECT sku_id, max(title) AS title, sum(quantity)::int AS units, sum(paid_minor)::bigint AS amount
       FROM order_lines WHERE order_no = $1 GROUP BY sku_id
     ), daily AS (
       INSERT INTO stats_daily AS s (shop_id, day, orders) SELECT shop_id, day, 1 FROM o
       ON CONFLICT (shop_id, day) DO UPDATE SET orders = s.orders + 1
     ), province AS (
       INSERT INTO stats_daily_province AS s (shop_id, day, province, orders) SELECT shop_id, day, province, 1 FROM o
       ON CONFLICT (shop_id, day, province) DO UPDATE SET orders = s.orders + 1
     ), channel AS (
       INSERT INTO stats_daily_channel AS s (shop_id, day, source_channel, orders)
       SELECT shop_id, day, source_channel, 1 FROM o
       ON CONFLICT (shop_id, day, source_channel) DO UPDATE SET orders = s.orders + 1
     ), sku AS (
       INSERT INTO stats_daily_sku AS s (shop_id, day, sku_id, ordered_units, ordered_minor)
       SELECT o.shop_id, o.day, l.sku_id, l.units, l.amount FROM o, l ORDER BY l.sku_id
       ON CONFLICT (shop_id, day, sku_id) DO UPDATE
         SET ordered_units = s.ordered_units + EXCLUDED.ordered_units,
             ordered_minor = s.ordered_minor + EXCLUDED.ordered_minor
     ), title AS (
       INSERT INTO stats_sku AS s (sku_id, shop_id, title) SELECT l.sku_id, o.shop_id, l.title FROM o, l
       ORDER BY l.sku_id
       ON CONFLICT (sku_id) DO UPDATE SET title = EXCLUDED.title WHERE s.title <> EXCLUDED.title
     ), buyer AS (
       INSERT INTO stats_daily_user AS s (shop_id, day, buyer_id, ordered) SELECT shop_id, day, buyer_id, true FROM o
       ON CONFLICT (shop_id, day, buyer_id) DO UPDATE SET ordered = true WHERE NOT s.ordered
     )
     SELECT count(*)::int AS n FROM o`,
    [orderNo, ...inboxRowParams(once)],
  );
  return counted(rows);
}

/**
 * The buyer's money for a child order was captured (`paid_at` set; also a child closed out of stock at
 * payment, whose money is then refunded): GMV and paid orders on the paid day, the creation day's funnel,
 * bucket, province, channel, SKUs (paid), the paying user and the first paid day with the shop and platform.
 */
export async function recordPaid(q: Queryable, orderNo: string, once: InboxKey): Promise<boolean> {
  const { rows } = await q.query<{ n: number }>(
    `WITH ${inboxRowCte(3)}, o AS (
       SELECT shop_id, buyer_id, province, source_channel, paid_minor,
         ${shanghaiDaySql("created_at")} AS created_day, ${shanghaiDaySql("paid_at")} AS day,
         width_bucket(paid_minor, $2::bigint[]) AS bucket
       FROM orders WHERE order_no = $1 AND paid_at IS NOT NULL AND EXISTS (SELECT 1 FROM inbox_row)
     ), l AS (
       SELECT sku_id, sum(quantity)::int AS units, sum(paid_minor)::bigint AS amount
       FROM order_lines WHERE order_no = $1 GROUP BY sku_id
     ), daily AS (
       INSERT INTO stats_daily AS s (shop_id, day, paid_orders, gmv_minor, cohort_paid)
       SELECT o.shop_id, d.day, sum(d.paid_orders), sum(d.gmv_minor), sum(d.cohort_paid)
       FROM o, LATERAL (VALUES (o.day, 1, o.paid_minor, 0), (o.created_day, 0, 0, 1))
         AS d(day, paid_orders, gmv_minor, cohort_paid)
       GROUP BY o.shop_id, d.day ORDER BY d.day
       ON CONFLICT (shop_id, day) DO UPDATE
         SET paid_orders = s.paid_orders + EXCLUDED.paid_orders, gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor,
             cohort_paid = s.cohort_paid + EXCLUDED.cohort_paid
     ), bucket AS (
       INSERT INTO stats_daily_bucket AS s (shop_id, day, bucket, paid_orders, gmv_minor)
       SELECT shop_id, day, bucket, 1, paid_minor FROM o
       ON CONFLICT (shop_id, day, bucket) DO UPDATE
         SET paid_orders = s.paid_orders + 1, gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor
     ), province AS (
       INSERT INTO stats_daily_province AS s (shop_id, day, province, paid_orders, gmv_minor)
       SELECT shop_id, day, province, 1, paid_minor FROM o
       ON CONFLICT (shop_id, day, province) DO UPDATE
         SET paid_orders = s.paid_orders + 1, gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor
     ), channel AS (
       INSERT INTO stats_daily_channel AS s (shop_id, day, source_channel, paid_orders, gmv_minor)
       SELECT shop_id, day, source_channel, 1, paid_minor FROM o
       ON CONFLICT (shop_id, day, source_channel) DO UPDATE
         SET paid_orders = s.paid_orders + 1, gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor
     ), sku AS (
       INSERT INTO stats_daily_sku AS s (shop_id, day, sku_id, paid_units, paid_minor)
       SELECT o.shop_id, o.day, l.sku_id, l.units, l.amount FROM o, l ORDER BY l.sku_id
       ON CONFLICT (shop_id, day, sku_id) DO UPDATE
         SET paid_units = s.paid_units + EXCLUDED.paid_units, paid_minor = s.paid_minor + EXCLUDED.paid_minor
     ), buyer AS (
       INSERT INTO stats_daily_user AS s (shop_id, day, buyer_id, paid) SELECT shop_id, day, buyer_id, true FROM o
       ON CONFLICT (shop_id, day, buyer_id) DO UPDATE SET paid = true WHERE NOT s.paid
     ), first_paid AS (
       INSERT INTO stats_buyer_first_paid AS s (shop_id, buyer_id, first_paid_day)
       SELECT scope, o.buyer_id, o.day FROM o, unnest(ARRAY[o.shop_id, '*']) AS scope ORDER BY scope
       ON CONFLICT (shop_id, buyer_id) DO UPDATE SET first_paid_day = EXCLUDED.first_paid_day
         WHERE EXCLUDED.first_paid_day < s.first_paid_day
     )
     SELECT count(*)::int AS n FROM o`,
    [orderNo, BUCKET_LOWER_BOUNDS_MINOR, ...inboxRowParams(once)],
  );
  return counted(rows);
}

/** A funnel step (every package handed over, or completed) of an order, on the order's creation day. */
export async function recordStep(
  q: Queryable,
  orderNo: string,
  step: "shipped" | "completed",
  once: InboxKey,
): Promise<boolean> {
  const column = step === "shipped" ? "cohort_shipped" : "cohort_completed";
  const { rows } = await q.query<{ n: number }>(
    `WITH ${inboxRowCte(2)}, o AS (
       SELECT shop_id, ${shanghaiDaySql("created_at")} AS day FROM orders
       WHERE order_no = $1 AND EXISTS (SELECT 1 FROM inbox_row)
     ),
     daily AS (
       INSERT INTO stats_daily AS s (shop_id, day, ${column}) SELECT shop_id, day, 1 FROM o
       ON CONFLICT (shop_id, day) DO UPDATE SET ${column} = s.${column} + 1
     )
     SELECT count(*)::int AS n FROM o`,
    [orderNo, ...inboxRowParams(once)],
  );
  return counted(rows);
}

/** A refund of a child order succeeded at `at`: refunds and refunded amount of the order's shop that day. */
export async function recordRefund(
  q: Queryable,
  orderNo: string,
  amountMinor: number,
  at: Date,
  once: InboxKey,
): Promise<boolean> {
  const { rows } = await q.query<{ n: number }>(
    `WITH ${inboxRowCte(4)}, o AS (SELECT shop_id FROM orders WHERE order_no = $1 AND EXISTS (SELECT 1 FROM inbox_row)),
     daily AS (
       INSERT INTO stats_daily AS s (shop_id, day, refunds, refund_minor)
       SELECT shop_id, ${shanghaiDaySql("$3::timestamptz")}, 1, $2::bigint FROM o
       ON CONFLICT (shop_id, day) DO UPDATE
         SET refunds = s.refunds + 1, refund_minor = s.refund_minor + EXCLUDED.refund_minor
     )
     SELECT count(*)::int AS n FROM o`,
    [orderNo, amountMinor, at, ...inboxRowParams(once)],
  );
  return counted(rows);
}
