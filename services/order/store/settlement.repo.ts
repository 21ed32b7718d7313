import type { Queryable } from "../../../shared/db/pool";
import { type OrdersOfPayment, type OrdersRefund, purposeOf } from "../domain/reconciliation";
import type { RefundedLine, SettlementFigures } from "../domain/settlement";

/** A refund as the order service records it (table `order_refunds`). */
export interface OrderRefundRecord {
  refundNo: string;
  paymentNo: string;
  parentOrderNo: string;
  orderNo: string | null;
  shopId: string | null;
  afterSalesNo: string | null;
  amountMinor: number;
  lines: RefundedLine[];
  reason: string;
  refundedAt: Date;
}

/** Records a refund once (a redelivery of its event finds it there). */
export async function recordOrderRefund(q: Queryable, r: OrderRefundRecord): Promise<void> {
  await q.query(
    `INSERT INTO order_refunds (refund_no, payment_no, parent_order_no, order_no, shop_id, after_sales_no,
       amount_minor, lines, reason, refunded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (refund_no) DO NOTHING`,
    [
      r.refundNo,
      r.paymentNo,
      r.parentOrderNo,
      r.orderNo,
      r.shopId,
      r.afterSalesNo,
      r.amountMinor,
      JSON.stringify(r.lines),
      r.reason,
      r.refundedAt,
    ],
  );
}

/** The shop filter, written out so that one shop's entries are read by its `(shop_id, paid_at)` index. */
const shopIs = (alias: string, oneShop: boolean) => (oneShop ? `${alias}.shop_id = $3` : "$3::text IS NULL");

/**
 * Every entry behind a settlement, one row each, for the shop `$3` (`oneShop`, else all) over [$1, $2):
 * - SALE, per line of a child order paid in the period: what its buyer paid, and its discount shares
 *   by funder; plus one per order for its shipping fee (line_id null);
 * - REFUND, per refunded line of a refund completed in the period: what it gave back, and the discount
 *   shares its units reverse (negative); plus one per refund for the rest of its amount - shipping, or
 *   money not tied to lines (line_id null).
 * Refunds of money no child order kept (no shop) are not any shop's.
 */
const entries = (oneShop: boolean) => `
  sales AS (
    SELECT o.shop_id, o.paid_at AS at, 'SALE'::text AS kind, o.order_no, l.line_id, l.position, l.sku_id,
      l.quantity, NULL::text AS refund_no, NULL::text AS after_sales_no, l.paid_minor AS goods_paid_minor,
      COALESCE(f.shop, 0) AS shop_funded_minor, COALESCE(f.platform, 0) AS platform_funded_minor,
      0::bigint AS shipping_fee_minor, 0::bigint AS refund_minor
    FROM orders o JOIN order_lines l USING (order_no)
    LEFT JOIN LATERAL (
      SELECT sum((a->>'amountMinor')::bigint) FILTER (WHERE a->>'funder' = 'SHOP') AS shop,
        sum((a->>'amountMinor')::bigint) FILTER (WHERE a->>'funder' = 'PLATFORM') AS platform
      FROM jsonb_array_elements(l.allocations) a
    ) f ON true
    WHERE o.paid_at >= $1 AND o.paid_at < $2 AND ${shopIs("o", oneShop)}
    UNION ALL
    SELECT o.shop_id, o.paid_at, 'SALE', o.order_no, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0,
      o.shipping_fee_minor, 0
    FROM orders o
    WHERE o.paid_at >= $1 AND o.paid_at < $2 AND ${shopIs("o", oneShop)} AND o.shipping_fee_minor > 0
  ), refunded AS (
    SELECT r.shop_id, r.refunded_at AS at, r.order_no, r.refund_no, r.after_sales_no, r.amount_minor, r.lines
    FROM order_refunds r
    WHERE r.refunded_at >= $1 AND r.refunded_at < $2 AND r.shop_id IS NOT NULL
      AND ${shopIs("r", oneShop)}
  ), refund_lines AS (
    SELECT r.shop_id, r.at, 'REFUND'::text AS kind, r.order_no, x->>'lineId' AS line_id, l.position, l.sku_id,
      (x->>'quantity')::int AS quantity, r.refund_no, r.after_sales_no, 0::bigint AS goods_paid_minor,
      -COALESCE((x->>'shopFundedMinor')::bigint, 0) AS shop_funded_minor,
      -COALESCE((x->>'platformFundedMinor')::bigint, 0) AS platform_funded_minor,
      0::bigint AS shipping_fee_minor, (x->>'amountMinor')::bigint AS refund_minor
    FROM refunded r CROSS JOIN LATERAL jsonb_array_elements(r.lines) x
    LEFT JOIN order_lines l ON l.order_no = r.order_no AND l.line_id = x->>'lineId'
  ), refund_rest AS (
    SELECT r.shop_id, r.at, 'REFUND'::text, r.order_no, NULL::text, NULL::int, NULL::text, NULL::int, r.refund_no,
      r.after_sales_no, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
      r.amount_minor - COALESCE((SELECT sum((x->>'amountMinor')::bigint) FROM jsonb_array_elements(r.lines) x), 0)
        AS refund_minor
    FROM refunded r
  ), entries AS (
    SELECT * FROM sales
    UNION ALL SELECT * FROM refund_lines
    UNION ALL SELECT * FROM refund_rest WHERE refund_minor <> 0
  )`;

const FIGURES = `sum(goods_paid_minor)::bigint AS goods_paid_minor, sum(shop_funded_minor)::bigint AS shop_funded_minor,
  sum(platform_funded_minor)::bigint AS platform_funded_minor, sum(shipping_fee_minor)::bigint AS shipping_fee_minor,
  sum(refund_minor)::bigint AS refund_minor`;

export interface ShopSettlementRow extends Omit<SettlementFigures, "netSettlementMinor"> {
  shopId: string;
  orders: number;
  refunds: number;
}

/** The settlement figures of each shop with entries over [from, to), by shop id, after `afterShop`. */
export async function settlementTotals(
  q: Queryable,
  p: { from: Date; to: Date; shopId: string | null; afterShop: string; limit: number },
): Promise<ShopSettlementRow[]> {
  const { rows } = await q.query(
    `WITH ${entries(p.shopId !== null)}
     SELECT shop_id, ${FIGURES},
       count(DISTINCT order_no) FILTER (WHERE kind = 'SALE')::int AS orders,
       count(DISTINCT refund_no)::int AS refunds
     FROM entries WHERE shop_id > $4 GROUP BY shop_id ORDER BY shop_id LIMIT $5`,
    [p.from, p.to, p.shopId, p.afterShop, p.limit],
  );
  return rows.map((r) => ({
    shopId: r.shop_id,
    goodsPaidMinor: Number(r.goods_paid_minor),
    shopFundedDiscountMinor: Number(r.shop_funded_minor),
    platformFundedDiscountMinor: Number(r.platform_funded_minor),
    shippingFeeMinor: Number(r.shipping_fee_minor),
    refundMinor: Number(r.refund_minor),
    orders: r.orders,
    refunds: r.refunds,
  }));
}

/** One entry behind a shop's settlement figures (API.md "the order lines behind each figure"). */
export interface SettlementEntry {
  kind: "SALE" | "REFUND";
  at: string;
  orderNo: string;
  /** Null: the order's shipping fee, or the part of a refund not tied to lines. */
  lineId: string | null;
  skuId: string | null;
  quantity: number | null;
  refundNo: string | null;
  afterSalesNo: string | null;
  goodsPaidMinor: number;
  shopFundedDiscountMinor: number;
  platformFundedDiscountMinor: number;
  shippingFeeMinor: number;
  refundMinor: number;
}

/** Where a page of entries ended. */
export interface EntryCursor {
  at: string;
  kind: string;
  orderNo: string;
  refundNo: string;
  position: number;
}

/** A page of one shop's entries over [from, to), in time order, after `after`. */
export async function settlementEntries(
  q: Queryable,
  p: { from: Date; to: Date; shopId: string; after: EntryCursor | null; limit: number },
): Promise<{ items: SettlementEntry[]; next: EntryCursor | null }> {
  const a = p.after ?? { at: "-infinity", kind: "", orderNo: "", refundNo: "", position: -1 };
  const { rows } = await q.query(
    `WITH ${entries(true)}, keyed AS (
       SELECT *, COALESCE(refund_no, '') AS refund_key, COALESCE(position, 2147483647) AS position_key FROM entries
     )
     SELECT * FROM keyed
     WHERE (at, kind, order_no, refund_key, position_key) > ($4::timestamptz, $5::text, $6::text, $7::text, $8::int)
     ORDER BY at, kind, order_no, refund_key, position_key LIMIT $9`,
    [p.from, p.to, p.shopId, a.at, a.kind, a.orderNo, a.refundNo, a.position, p.limit],
  );
  const items = rows.map(
    (r): SettlementEntry => ({
      kind: r.kind,
      at: r.at.toISOString(),
      orderNo: r.order_no,
      lineId: r.line_id,
      skuId: r.sku_id,
      quantity: r.quantity,
      refundNo: r.refund_no,
      afterSalesNo: r.after_sales_no,
      goodsPaidMinor: Number(r.goods_paid_minor),
      shopFundedDiscountMinor: Number(r.shop_funded_minor),
      platformFundedDiscountMinor: Number(r.platform_funded_minor),
      shippingFeeMinor: Number(r.shipping_fee_minor),
      refundMinor: Number(r.refund_minor),
    }),
  );
  const last = rows.at(-1);
  const next =
    rows.length === p.limit && last
      ? {
          at: last.at.toISOString(),
          kind: last.kind,
          orderNo: last.order_no,
          refundNo: last.refund_key,
          position: last.position_key,
        }
      : null;
  return { items, next };
}

/** What the orders say about each payment: the children it paid, and what of it was refunded as not kept. */
export async function ordersOfPayments(
  q: Queryable,
  paymentNos: readonly string[],
): Promise<Map<string, OrdersOfPayment>> {
  const { rows } = await q.query(
    `SELECT p.no, COALESCE(o.order_nos, '{}') AS order_nos, COALESCE(o.paid, 0) AS paid,
       COALESCE(r.refunded, 0) AS refunded
     FROM unnest($1::text[]) AS p(no)
     LEFT JOIN LATERAL (
       SELECT array_agg(order_no ORDER BY order_no) AS order_nos, sum(paid_minor) AS paid
       FROM orders WHERE payment_no = p.no
     ) o ON true
     LEFT JOIN LATERAL (
       SELECT sum(amount_minor) AS refunded FROM order_refunds WHERE payment_no = p.no AND order_no IS NULL
     ) r ON true`,
    [paymentNos],
  );
  return new Map(
    rows.map((r) => [
      r.no,
      {
        paymentNo: r.no,
        orderNos: r.order_nos,
        paidMinor: Number(r.paid),
        notKeptRefundedMinor: Number(r.refunded),
      },
    ]),
  );
}

/** A page position in (time, number) order, as `payment.ledger` takes it. */
export interface TimeCursor {
  at: string;
  no: string;
}

const nextOf = (rows: { at: Date; no: string }[], limit: number): TimeCursor | null => {
  const last = rows.at(-1);
  return rows.length === limit && last ? { at: last.at.toISOString(), no: last.no } : null;
};

/** A page of the payments the orders say paid them in [from, to), in (time, payment number) order. */
export async function paidOrdersPage(
  q: Queryable,
  p: { from: Date; to: Date; after: TimeCursor | null; limit: number },
): Promise<{ items: OrdersOfPayment[]; next: TimeCursor | null }> {
  const after = p.after ?? { at: "-infinity", no: "" };
  const { rows } = await q.query(
    `SELECT paid_at AS at, COALESCE(payment_no, '') AS no, array_agg(order_no ORDER BY order_no) AS order_nos,
       sum(paid_minor) AS paid
     FROM orders WHERE paid_at >= $1 AND paid_at < $2 AND (paid_at, COALESCE(payment_no, '')) > ($3::timestamptz, $4::text)
     GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $5`,
    [p.from, p.to, after.at, after.no, p.limit],
  );
  return {
    items: rows.map((r) => ({
      paymentNo: r.no,
      orderNos: r.order_nos,
      paidMinor: Number(r.paid),
      notKeptRefundedMinor: 0,
    })),
    next: nextOf(rows, p.limit),
  };
}

const REFUND_COLUMNS =
  "refund_no AS no, refunded_at AS at, payment_no, parent_order_no, order_no, amount_minor";

// biome-ignore lint/suspicious/noExplicitAny: a pg row
const toOrdersRefund = (r: any): OrdersRefund => ({
  refundNo: r.no,
  paymentNo: r.payment_no,
  parentOrderNo: r.parent_order_no,
  orderNo: r.order_no,
  amountMinor: Number(r.amount_minor),
});

/** The refunds the orders record, by number. */
export async function orderRefundsByNo(
  q: Queryable,
  refundNos: readonly string[],
): Promise<Map<string, OrdersRefund>> {
  const { rows } = await q.query(
    `SELECT ${REFUND_COLUMNS} FROM order_refunds WHERE refund_no = ANY($1::text[])`,
    [refundNos],
  );
  return new Map(rows.map((r) => [r.no, toOrdersRefund(r)]));
}

/** A page of the refunds the orders recorded as completed in [from, to), in (time, refund number) order. */
export async function orderRefundsPage(
  q: Queryable,
  p: { from: Date; to: Date; after: TimeCursor | null; limit: number },
): Promise<{ items: OrdersRefund[]; next: TimeCursor | null }> {
  const after = p.after ?? { at: "-infinity", no: "" };
  const { rows } = await q.query(
    `SELECT ${REFUND_COLUMNS} FROM order_refunds
     WHERE refunded_at >= $1 AND refunded_at < $2 AND (refunded_at, refund_no) > ($3::timestamptz, $4::text)
     ORDER BY refunded_at, refund_no LIMIT $5`,
    [p.from, p.to, after.at, after.no, p.limit],
  );
  return { items: rows.map(toOrdersRefund), next: nextOf(rows, p.limit) };
}

/** Of these purposes (`purposeOf`), those the orders recorded a paid refund for. */
export async function paidPurposes(
  q: Queryable,
  refunds: readonly { paymentNo: string; orderNo: string | null; reason: string }[],
): Promise<Set<string>> {
  if (refunds.length === 0) return new Set();
  const { rows } = await q.query(
    `SELECT DISTINCT r.payment_no, r.order_no, r.reason FROM order_refunds r
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS x(payment_no, order_no, reason)
       ON r.payment_no = x.payment_no AND r.order_no IS NOT DISTINCT FROM x.order_no AND r.reason = x.reason`,
    [refunds.map((r) => r.paymentNo), refunds.map((r) => r.orderNo), refunds.map((r) => r.reason)],
  );
  return new Set(
    rows.map((r) => purposeOf({ paymentNo: r.payment_no, orderNo: r.order_no, reason: r.reason })),
  );
}
