import type { Queryable } from "../../../shared/db/pool";
import { type InboxKey, inboxRowCte, inboxRowParams } from "../../../shared/outbox/inbox";
import { BUCKET_LOWER_BOUNDS_MINOR } from "./stats-figures";
import { STATS_TIME_ZONE } from "./stats-period";

/**
 * The daily figures' increments for facts about child orders, each ONE statement that reads the orders (and
 * their lines) from the order's own tables, upserts every counter they move, and records the events in the
 * consumer's inbox in the same statement, so an event counts once. Rows are locked in a fixed order (stats_daily
 * first, then each table by its key ascending) so concurrent statements cannot deadlock on them. An event counts
 * nothing when its order is not there (or not paid, for the paid counts) or it was counted before.
 */

/** The Asia/Shanghai calendar day of a timestamptz expression. */
export const shanghaiDaySql = (expr: string) => `((${expr}) AT TIME ZONE '${STATS_TIME_ZONE}')::date`;

const counted = (rows: { n: number }[]) => (rows[0]?.n ?? 0) > 0;

/** One event to count: the child order it is about and its inbox key. */
export interface StatsEvent {
  orderNo: string;
  once: InboxKey;
}

/**
 * CTEs over a batch of events ($1 order numbers, $2 consumers, $3 event ids): `items` numbered from 1 in the
 * batch's order, their inbox rows (inserted in key order), and `fresh`: each event whose inbox row is new, once
 * (its first item), with its order number.
 */
const FRESH_EVENTS_CTES = `items AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS i(order_no, consumer, event_id, ord)
     ), inbox_rows AS (
       INSERT INTO inbox (consumer, event_id)
       SELECT DISTINCT consumer, event_id FROM items ORDER BY consumer, event_id
       ON CONFLICT DO NOTHING RETURNING consumer, event_id
     ), fresh AS (
       SELECT DISTINCT ON (i.consumer, i.event_id) i.ord, i.order_no
       FROM items i JOIN inbox_rows r ON r.consumer = i.consumer AND r.event_id = i.event_id
       ORDER BY i.consumer, i.event_id, i.ord
     )`;

const batchParams = (events: StatsEvent[]) => [
  events.map((e) => e.orderNo),
  events.map((e) => e.once.consumer),
  events.map((e) => e.once.eventId),
];

/** Runs a batch statement that answers the `ord` of every item that counted; true per counted item. */
async function countBatch(q: Queryable, sql: string, params: unknown[], size: number): Promise<boolean[]> {
  if (size === 0) return [];
  const { rows } = await q.query<{ ord: number }>(sql, params);
  const done = new Set(rows.map((r) => r.ord));
  return Array.from({ length: size }, (_x, i) => done.has(i + 1));
}

const RECORD_PLACED_SQL = `WITH ${FRESH_EVENTS_CTES}, o AS (
       SELECT f.ord, o.order_no, o.shop_id, o.buyer_id, o.province, o.source_channel,
         ${shanghaiDaySql("o.created_at")} AS day
       FROM fresh f JOIN orders o ON o.order_no = f.order_no
     ), l AS (
       SELECT o.ord, o.shop_id, o.day, l.sku_id, max(l.title) AS title, sum(l.quantity)::int AS units,
         sum(l.paid_minor)::bigint AS amount
       FROM o JOIN order_lines l ON l.order_no = o.order_no GROUP BY o.ord, o.shop_id, o.day, l.sku_id
     ), daily AS (
       INSERT INTO stats_daily AS s (shop_id, day, orders)
       SELECT shop_id, day, count(*) FROM o GROUP BY shop_id, day ORDER BY shop_id, day
       ON CONFLICT (shop_id, day) DO UPDATE SET orders = s.orders + EXCLUDED.orders
     ), province AS (
       INSERT INTO stats_daily_province AS s (shop_id, day, province, orders)
       SELECT shop_id, day, province, count(*) FROM o GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, province) DO UPDATE SET orders = s.orders + EXCLUDED.orders
     ), channel AS (
       INSERT INTO stats_daily_channel AS s (shop_id, day, source_channel, orders)
       SELECT shop_id, day, source_channel, count(*) FROM o GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, source_channel) DO UPDATE SET orders = s.orders + EXCLUDED.orders
     ), sku AS (
       INSERT INTO stats_daily_sku AS s (shop_id, day, sku_id, ordered_units, ordered_minor)
       SELECT shop_id, day, sku_id, sum(units), sum(amount) FROM l GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, sku_id) DO UPDATE
         SET ordered_units = s.ordered_units + EXCLUDED.ordered_units,
             ordered_minor = s.ordered_minor + EXCLUDED.ordered_minor
     ), title AS (
       INSERT INTO stats_sku AS s (sku_id, shop_id, title)
       SELECT sku_id, (array_agg(shop_id ORDER BY ord))[1], (array_agg(title ORDER BY ord DESC))[1]
       FROM l GROUP BY sku_id ORDER BY sku_id
       ON CONFLICT (sku_id) DO UPDATE SET title = EXCLUDED.title WHERE s.title <> EXCLUDED.title
     ), buyer AS (
       INSERT INTO stats_daily_user AS s (shop_id, day, buyer_id, ordered)
       SELECT DISTINCT shop_id, day, buyer_id, true FROM o ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, buyer_id) DO UPDATE SET ordered = true WHERE NOT s.ordered
     )
     SELECT ord::int FROM o`;

/**
 * Child orders were created: orders, per province / channel / SKU (ordered), the ordering users, the SKUs'
 * latest titles (of the batch's last order with the SKU). Each event counts on its own, so an order placed twice
 * under two event ids counts twice, as it would one event at a time.
 */
export function recordPlacedBatch(q: Queryable, events: StatsEvent[]): Promise<boolean[]> {
  return countBatch(q, RECORD_PLACED_SQL, batchParams(events), events.length);
}

const RECORD_PAID_SQL = `WITH ${FRESH_EVENTS_CTES}, o AS (
       SELECT f.ord, o.order_no, o.shop_id, o.buyer_id, o.province, o.source_channel, o.paid_minor,
         ${shanghaiDaySql("o.created_at")} AS created_day, ${shanghaiDaySql("o.paid_at")} AS day,
         width_bucket(o.paid_minor, $4::bigint[]) AS bucket
       FROM fresh f JOIN orders o ON o.order_no = f.order_no WHERE o.paid_at IS NOT NULL
     ), l AS (
       SELECT o.shop_id, o.day, l.sku_id, sum(l.quantity)::int AS units, sum(l.paid_minor)::bigint AS amount
       FROM o JOIN order_lines l ON l.order_no = o.order_no GROUP BY o.shop_id, o.day, l.sku_id
     ), daily AS (
       INSERT INTO stats_daily AS s (shop_id, day, paid_orders, gmv_minor, cohort_paid)
       SELECT o.shop_id, d.day, sum(d.paid_orders), sum(d.gmv_minor), sum(d.cohort_paid)
       FROM o, LATERAL (VALUES (o.day, 1, o.paid_minor, 0), (o.created_day, 0, 0, 1))
         AS d(day, paid_orders, gmv_minor, cohort_paid)
       GROUP BY o.shop_id, d.day ORDER BY o.shop_id, d.day
       ON CONFLICT (shop_id, day) DO UPDATE
         SET paid_orders = s.paid_orders + EXCLUDED.paid_orders, gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor,
             cohort_paid = s.cohort_paid + EXCLUDED.cohort_paid
     ), bucket AS (
       INSERT INTO stats_daily_bucket AS s (shop_id, day, bucket, paid_orders, gmv_minor)
       SELECT shop_id, day, bucket, count(*), sum(paid_minor) FROM o GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, bucket) DO UPDATE
         SET paid_orders = s.paid_orders + EXCLUDED.paid_orders, gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor
     ), province AS (
       INSERT INTO stats_daily_province AS s (shop_id, day, province, paid_orders, gmv_minor)
       SELECT shop_id, day, province, count(*), sum(paid_minor) FROM o GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, province) DO UPDATE
         SET paid_orders = s.paid_orders + EXCLUDED.paid_orders, gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor
     ), channel AS (
       INSERT INTO stats_daily_channel AS s (shop_id, day, source_channel, paid_orders, gmv_minor)
       SELECT shop_id, day, source_channel, count(*), sum(paid_minor) FROM o GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, source_channel) DO UPDATE
         SET paid_orders = s.paid_orders + EXCLUDED.paid_orders, gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor
     ), sku AS (
       INSERT INTO stats_daily_sku AS s (shop_id, day, sku_id, paid_units, paid_minor)
       SELECT shop_id, day, sku_id, sum(units), sum(amount) FROM l GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, sku_id) DO UPDATE
         SET paid_units = s.paid_units + EXCLUDED.paid_units, paid_minor = s.paid_minor + EXCLUDED.paid_minor
     ), buyer AS (
       INSERT INTO stats_daily_user AS s (shop_id, day, buyer_id, paid)
       SELECT DISTINCT shop_id, day, buyer_id, true FROM o ORDER BY 1, 2, 3
       ON CONFLICT (shop_id, day, buyer_id) DO UPDATE SET paid = true WHERE NOT s.paid
     ), first_paid AS (
       INSERT INTO stats_buyer_first_paid AS s (shop_id, buyer_id, first_paid_day)
       SELECT scope, o.buyer_id, min(o.day) FROM o, unnest(ARRAY[o.shop_id, '*']) AS scope
       GROUP BY scope, o.buyer_id ORDER BY scope, o.buyer_id
       ON CONFLICT (shop_id, buyer_id) DO UPDATE SET first_paid_day = EXCLUDED.first_paid_day
         WHERE EXCLUDED.first_paid_day < s.first_paid_day
     )
     SELECT ord::int FROM o`;

/**
 * The buyers' money for child orders was captured (`paid_at` set; also a child closed out of stock at
 * payment, whose money is then refunded): GMV and paid orders on the paid day, the creation day's funnel,
 * bucket, province, channel, SKUs (paid), the paying users and the first paid day with the shop and platform.
 */
export function recordPaidBatch(q: Queryable, events: StatsEvent[]): Promise<boolean[]> {
  return countBatch(q, RECORD_PAID_SQL, [...batchParams(events), BUCKET_LOWER_BOUNDS_MINOR], events.length);
}

/** One paid event (`recordPaidBatch` of one), for a consumer that does not batch. */
export async function recordPaid(q: Queryable, orderNo: string, once: InboxKey): Promise<boolean> {
  const [paid] = await recordPaidBatch(q, [{ orderNo, once }]);
  return paid === true;
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
