import { keyedReader } from "../../../shared/batching/keyed-reader";
import type { Queryable } from "../../../shared/db/pool";
import { type EventEnvelope, outboxInsertSql } from "../../../shared/outbox/outbox";
import type { TimelineEntry } from "../../../shared/state-machine/engine";
import type { ChildOrder, ParentOrder } from "../domain/order";
import {
  type LineRow,
  type OrderRow,
  type ParentRow,
  toChildOrder,
  toLine,
  toParentOrder,
} from "./order-rows";

/** A whole checkout as it is written: orders, their first timeline entries and their events. */
export interface CheckoutWrite {
  parent: ParentOrder;
  children: ChildOrder[];
  timeline: { orderNo: string; entry: TimelineEntry }[];
  events: EventEnvelope[];
}

/**
 * Writes checkouts in ONE statement (data-modifying CTEs are one atomic
 * statement): the parents, children, lines, timeline entries, outbox events,
 * and the sagas deleted (a finished checkout's saga has no reader, so the
 * table holds only checkouts in flight and compensated ones). One round trip
 * for all the checkouts placed at once, instead of a transaction of nine
 * statements for each.
 */
export async function insertCheckouts(q: Queryable, writes: CheckoutWrite[]): Promise<void> {
  const children = writes.flatMap((w) => w.children);
  await q.query(
    `WITH parent AS (
       INSERT INTO parent_orders (parent_order_no, buyer_id, order_type, source_channel, totals, coupon_ids,
         coins_used, member_tier, price_steps, payment_deadline, created_at)
       SELECT p.parent_order_no, p.buyer_id, p.order_type, p.source_channel, p.totals,
         ARRAY(SELECT jsonb_array_elements_text(p.coupon_ids)), p.coins_used, p.member_tier, p.price_steps,
         p.payment_deadline, p.created_at
       FROM jsonb_to_recordset($1::jsonb) AS p(parent_order_no text, buyer_id text, order_type text,
         source_channel text, totals jsonb, coupon_ids jsonb, coins_used bigint, member_tier text,
         price_steps jsonb, payment_deadline timestamptz, created_at timestamptz)
     ), children AS (
       INSERT INTO orders (order_no, parent_order_no, order_type, table_version, shop_id, buyer_id, status,
         source_channel, address, province, goods_minor, item_discount_minor, member_discount_minor,
         shop_discount_minor, coupon_discount_minor, coins_deduction_minor, platform_discount_minor,
         shipping_fee_minor, payable_minor, timers, invoice, buyer_note, payment_deadline, created_at)
       SELECT o.order_no, o.parent_order_no, o.order_type, o.table_version, o.shop_id, o.buyer_id, o.status,
         o.source_channel, o.address, o.address->>'province', o.goods_minor, o.item_discount_minor,
         o.member_discount_minor, o.shop_discount_minor, o.coupon_discount_minor, o.coins_deduction_minor,
         o.platform_discount_minor, o.shipping_fee_minor, o.payable_minor, o.timers, o.invoice, o.buyer_note,
         o.payment_deadline, o.created_at
       FROM jsonb_to_recordset($2::jsonb) AS o(order_no text, parent_order_no text, order_type text,
         table_version text, shop_id text, buyer_id text, status text, source_channel text, address jsonb,
         goods_minor bigint, item_discount_minor bigint, member_discount_minor bigint, shop_discount_minor bigint,
         coupon_discount_minor bigint, coins_deduction_minor bigint, platform_discount_minor bigint,
         shipping_fee_minor bigint, payable_minor bigint, timers jsonb, invoice jsonb, buyer_note text,
         payment_deadline timestamptz, created_at timestamptz)
     ), lines AS (
       INSERT INTO order_lines (order_no, line_id, position, sku_id, title, spec, image_url, category, quantity,
         unit_price_minor, list_price_minor, goods_minor, allocations, paid_minor, unit_paid_minor, warehouse_id,
         deduction_strategy, campaign_id)
       SELECT l.order_no, l.line_id, l.position, l.sku_id, l.title, l.spec, l.image_url, l.category, l.quantity,
         l.unit_price_minor, l.list_price_minor, l.goods_minor, l.allocations, l.paid_minor,
         ARRAY(SELECT jsonb_array_elements_text(l.unit_paid_minor)::bigint), l.warehouse_id,
         l.deduction_strategy, l.campaign_id
       FROM jsonb_to_recordset($3::jsonb) AS l(order_no text, line_id text, position int, sku_id text, title text,
         spec text, image_url text, category text, quantity int, unit_price_minor bigint, list_price_minor bigint,
         goods_minor bigint, allocations jsonb, paid_minor bigint, unit_paid_minor jsonb, warehouse_id text,
         deduction_strategy text, campaign_id text)
     ), timeline AS (
       ${timelineInsertSql("$4")}
     ), events AS (
       ${outboxInsertSql("$5")}
     ), saga AS (
       DELETE FROM place_order_sagas WHERE parent_order_no = ANY($6)
     )
     SELECT 1`,
    [
      JSON.stringify(writes.map((w) => parentToRow(w.parent))),
      JSON.stringify(children.map(orderToRow)),
      JSON.stringify(children.flatMap((c) => c.lines.map((l) => lineToRow(c.orderNo, l)))),
      JSON.stringify(writes.flatMap((w) => w.timeline.map(({ orderNo, entry }) => ({ ...entry, orderNo })))),
      JSON.stringify(writes.flatMap((w) => w.events)),
      writes.map((w) => w.parent.parentOrderNo),
    ],
  );
}

function parentToRow(p: ParentOrder) {
  return {
    parent_order_no: p.parentOrderNo,
    buyer_id: p.buyerId,
    order_type: p.orderType,
    source_channel: p.sourceChannel,
    totals: p.totals,
    coupon_ids: p.couponIds,
    coins_used: p.coinsUsed,
    member_tier: p.memberTier,
    price_steps: p.priceSteps,
    payment_deadline: p.paymentDeadline,
    created_at: p.createdAt,
  };
}

/** An INSERT of timeline entries (each with its orderNo) given as a JSON array in parameter `param`. */
function timelineInsertSql(param: string): string {
  return `INSERT INTO order_timeline (order_no, at, actor, role, event, from_state, to_state, reason, request_id,
       event_id, changes)
     SELECT e."orderNo", e.at, e.actor, e.role, e.event, e."from", e."to", e.reason, e."requestId", e."eventId",
       e.changes
     FROM jsonb_to_recordset(${param}::jsonb) AS e("orderNo" text, at timestamptz, actor text, role text,
       event text, "from" text, "to" text, reason text, "requestId" text, "eventId" text, changes jsonb)`;
}

/** An order as a row of `orders` (the checkout insert reads the columns it sets, an update those it changes). */
function orderToRow(o: ChildOrder) {
  const a = o.amounts;
  return {
    order_no: o.orderNo,
    parent_order_no: o.parentOrderNo,
    order_type: o.orderType,
    table_version: o.tableVersion,
    shop_id: o.shopId,
    buyer_id: o.buyerId,
    status: o.status,
    source_channel: o.sourceChannel,
    address: o.address,
    goods_minor: a.goodsMinor,
    item_discount_minor: a.itemDiscountMinor,
    member_discount_minor: a.memberDiscountMinor,
    shop_discount_minor: a.shopDiscountMinor,
    coupon_discount_minor: a.couponDiscountMinor,
    coins_deduction_minor: a.coinsDeductionMinor,
    platform_discount_minor: a.platformDiscountMinor,
    shipping_fee_minor: a.shippingFeeMinor,
    payable_minor: a.payableMinor,
    timers: o.timers,
    invoice: o.invoice,
    buyer_note: o.buyerNote,
    payment_deadline: o.paymentDeadline,
    created_at: o.createdAt,
    after_sales_status: o.afterSalesStatus,
    price_adjustment_minor: a.priceAdjustmentMinor,
    paid_minor: a.paidMinor,
    refunded_minor: a.refundedMinor,
    merchant_note: o.merchantNote,
    reviewed: o.reviewed,
    paid_at: o.paidAt,
    shipped_at: o.shippedAt,
    delivered_at: o.deliveredAt,
    confirmed_at: o.confirmedAt,
    completed_at: o.completedAt,
    auto_confirm_at: o.autoConfirmAt,
    finish_at: o.finishAt,
    ship_by: o.shipBy,
    ship_overdue_at: o.shipOverdueAt,
    review: o.review,
    closed_at: o.closedAt,
    close_reason: o.closeReason,
    payment_no: o.paymentNo,
  };
}

function lineToRow(orderNo: string, l: ChildOrder["lines"][number]) {
  return {
    order_no: orderNo,
    line_id: l.lineId,
    position: l.position,
    sku_id: l.skuId,
    title: l.title,
    spec: l.spec,
    image_url: l.imageUrl,
    category: l.category,
    quantity: l.quantity,
    unit_price_minor: l.unitPriceMinor,
    list_price_minor: l.listPriceMinor,
    goods_minor: l.goodsMinor,
    allocations: l.allocations,
    paid_minor: l.paidMinor,
    unit_paid_minor: l.unitPaidMinor,
    warehouse_id: l.warehouseId,
    deduction_strategy: l.deductionStrategy,
    campaign_id: l.campaignId,
  };
}

/** The lines of the order row `o` as a JSON array in position order, selected beside the row. */
const LINES_OF_O = `(SELECT coalesce(json_agg(l ORDER BY l.position), '[]') FROM order_lines l
                  WHERE l.order_no = o.order_no)`;

/** Child orders with their lines, in one round trip; `forUpdate` locks the order rows for a state change. */
export async function findOrders(
  q: Queryable,
  where: { orderNos?: string[]; parentOrderNo?: string },
  forUpdate = false,
): Promise<ChildOrder[]> {
  const byParent = where.parentOrderNo !== undefined;
  const { rows } = await q.query<OrderRow & { lines: LineRow[] }>(
    `SELECT o.*, ${LINES_OF_O} AS lines
     FROM orders o WHERE ${byParent ? "o.parent_order_no = $1" : "o.order_no = ANY($1)"}
     ORDER BY o.order_no ${forUpdate ? "FOR UPDATE OF o" : ""}`,
    [byParent ? where.parentOrderNo : where.orderNos],
  );
  return rows.map((r) => toChildOrder(r, r.lines.map(toLine)));
}

/** One child order, or null. */
export async function findOrder(
  q: Queryable,
  orderNo: string,
  forUpdate = false,
): Promise<ChildOrder | null> {
  return (await findOrders(q, { orderNos: [orderNo] }, forUpdate))[0] ?? null;
}

/** A checkout: its parent order and children (with their lines). */
export interface Checkout {
  /** Null when there is no such checkout (a parent is always written with its children). */
  parent: ParentOrder | null;
  children: ChildOrder[];
}

/**
 * Checkouts in one round trip: each child row comes with its lines and the
 * parent row; `forUpdate` locks the children (not the parents, which never
 * change) in order-number order, as `findOrders` does. Every number asked for
 * has an entry, with a null parent when there is no such checkout.
 */
export async function findCheckouts(
  q: Queryable,
  parentOrderNos: string[],
  forUpdate = false,
): Promise<Map<string, Checkout>> {
  const { rows } = await q.query<OrderRow & { lines: LineRow[]; parent: ParentRow }>(
    // The parent by a subquery, not a join: a plan made without statistics hashes a whole joined table.
    `SELECT o.*, ${LINES_OF_O} AS lines,
       (SELECT to_jsonb(p) FROM parent_orders p WHERE p.parent_order_no = o.parent_order_no) AS parent
     FROM orders o WHERE o.parent_order_no = ANY($1)
     ORDER BY o.order_no ${forUpdate ? "FOR UPDATE OF o" : ""}`,
    [parentOrderNos],
  );
  const checkouts = new Map<string, Checkout>(
    parentOrderNos.map((no) => [no, { parent: null, children: [] }]),
  );
  for (const r of rows) {
    const checkout = checkouts.get(r.parent_order_no);
    if (!checkout) continue;
    checkout.parent ??= toParentOrder(r.parent);
    checkout.children.push(toChildOrder(r, r.lines.map(toLine)));
  }
  return checkouts;
}

/** A child of a checkout as a long poll sees it before it waits: whom it belongs to, and its status. */
export interface ChildStatus {
  buyerId: string;
  shopId: string;
  status: string;
}

/**
 * The storefront's reads of one checkout (the payment's preparation, the result page): those asked
 * for together share one statement. A null parent when there is no such checkout.
 */
export const readCheckout = keyedReader<string, Checkout>(findCheckouts, () => ({
  parent: null,
  children: [],
}));

/** The long poll's look at a checkout's children before it waits (none: no such checkout), shared likewise. */
export const readChildStatuses = keyedReader<string, ChildStatus[]>(checkoutStatuses, () => []);

/** The children's statuses of each checkout asked for, in one round trip (no entry: no such checkout). */
export async function checkoutStatuses(
  q: Queryable,
  parentOrderNos: string[],
): Promise<Map<string, ChildStatus[]>> {
  const { rows } = await q.query<ChildStatus & { parentOrderNo: string }>(
    `SELECT parent_order_no AS "parentOrderNo", buyer_id AS "buyerId", shop_id AS "shopId", status
     FROM orders WHERE parent_order_no = ANY($1)`,
    [parentOrderNos],
  );
  const byCheckout = new Map<string, ChildStatus[]>();
  for (const { parentOrderNo, ...child } of rows) {
    const children = byCheckout.get(parentOrderNo) ?? [];
    children.push(child);
    byCheckout.set(parentOrderNo, children);
  }
  return byCheckout;
}

/** Writes the fields a transition or an edit changes. */
export async function updateOrder(tx: Queryable, o: ChildOrder): Promise<void> {
  await tx.query(ordersUpdateSql("$1"), [JSON.stringify([orderToRow(o)])]);
}

/** An UPDATE of the fields a transition or an edit changes, for the orders given as `orderToRow` rows in `param`. */
function ordersUpdateSql(param: string): string {
  return `UPDATE orders o SET status = v.status, after_sales_status = v.after_sales_status, address = v.address,
       province = v.address->>'province', item_discount_minor = v.item_discount_minor,
       member_discount_minor = v.member_discount_minor, shop_discount_minor = v.shop_discount_minor,
       coupon_discount_minor = v.coupon_discount_minor, coins_deduction_minor = v.coins_deduction_minor,
       platform_discount_minor = v.platform_discount_minor, price_adjustment_minor = v.price_adjustment_minor,
       shipping_fee_minor = v.shipping_fee_minor, payable_minor = v.payable_minor, paid_minor = v.paid_minor,
       refunded_minor = v.refunded_minor, merchant_note = v.merchant_note, reviewed = v.reviewed,
       paid_at = v.paid_at, shipped_at = v.shipped_at, completed_at = v.completed_at, closed_at = v.closed_at,
       close_reason = v.close_reason, payment_no = v.payment_no, delivered_at = v.delivered_at,
       confirmed_at = v.confirmed_at, auto_confirm_at = v.auto_confirm_at, finish_at = v.finish_at,
       review = v.review, ship_by = v.ship_by, ship_overdue_at = v.ship_overdue_at, updated_at = now()
     FROM jsonb_populate_recordset(NULL::orders, ${param}::jsonb) AS v
     WHERE o.order_no = v.order_no`;
}

/** What settling a payment writes: the settled children, their timeline entries and events. */
export interface SettlementWrite {
  /** Children paid or closed by the payment; their lines' warehouses are written too. */
  orders: ChildOrder[];
  timeline: { orderNo: string; entry: TimelineEntry }[];
  events: EventEnvelope[];
}

/**
 * Writes a settled payment in ONE statement, as `insertCheckout` writes a
 * checkout: the children, the warehouses their lines were sold from (a
 * deduct-on-payment line may move at payment; unchanged lines are left
 * alone), the timeline entries and the outbox events.
 */
export async function writeSettlement(tx: Queryable, w: SettlementWrite): Promise<void> {
  if (w.orders.length === 0 && w.timeline.length === 0 && w.events.length === 0) return;
  await tx.query(
    `WITH children AS (
       ${ordersUpdateSql("$1")}
     ), lines AS (
       UPDATE order_lines l SET warehouse_id = v.warehouse_id
       FROM jsonb_to_recordset($2::jsonb) AS v(order_no text, line_id text, warehouse_id text)
       WHERE l.order_no = v.order_no AND l.line_id = v.line_id AND l.warehouse_id <> v.warehouse_id
     ), timeline AS (
       ${timelineInsertSql("$3")}
     ), events AS (
       ${outboxInsertSql("$4")}
     )
     SELECT 1`,
    [
      JSON.stringify(w.orders.map(orderToRow)),
      JSON.stringify(
        w.orders.flatMap((o) =>
          o.lines.map((l) => ({ order_no: o.orderNo, line_id: l.lineId, warehouse_id: l.warehouseId })),
        ),
      ),
      JSON.stringify(w.timeline.map(({ orderNo, entry }) => ({ ...entry, orderNo }))),
      JSON.stringify(w.events),
    ],
  );
}

/** Rewrites the priced parts of the lines after a price adjustment. */
export async function updateLinePrices(tx: Queryable, o: ChildOrder): Promise<void> {
  for (const l of o.lines) {
    await tx.query(
      `UPDATE order_lines SET unit_price_minor = $3, allocations = $4, paid_minor = $5, unit_paid_minor = $6
       WHERE order_no = $1 AND line_id = $2`,
      [o.orderNo, l.lineId, l.unitPriceMinor, JSON.stringify(l.allocations), l.paidMinor, l.unitPaidMinor],
    );
  }
}

/** Writes the lines' refunded units and amounts (after-sales). */
export async function updateLineRefunds(tx: Queryable, o: ChildOrder): Promise<void> {
  await tx.query(
    `UPDATE order_lines l SET refunded_quantity = v.quantity, refunded_minor = v.amount
     FROM unnest($2::text[], $3::int[], $4::bigint[]) AS v(line_id, quantity, amount)
     WHERE l.order_no = $1 AND l.line_id = v.line_id`,
    [
      o.orderNo,
      o.lines.map((l) => l.lineId),
      o.lines.map((l) => l.refundedQuantity),
      o.lines.map((l) => l.refundedMinor),
    ],
  );
}

/** Appends timeline entries for one order. */
export async function appendTimeline(
  tx: Queryable,
  orderNo: string,
  entries: readonly TimelineEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(timelineInsertSql("$1"), [JSON.stringify(entries.map((entry) => ({ ...entry, orderNo })))]);
}

/** The timeline of an order, oldest first, in the API's shape. */
export async function readTimeline(q: Queryable, orderNo: string): Promise<TimelineEntry[]> {
  const { rows } = await q.query(
    `SELECT at, actor, role, event, from_state, to_state, reason, request_id, event_id, changes
     FROM order_timeline WHERE order_no = $1 ORDER BY id`,
    [orderNo],
  );
  return rows.map(toTimelineEntry);
}

/** A timeline row (order or after-sales) in the API's shape. */
export function toTimelineEntry(r: Record<string, unknown>): TimelineEntry {
  return {
    at: (r.at as Date).toISOString(),
    actor: r.actor as string,
    role: r.role as TimelineEntry["role"],
    event: r.event as string,
    from: r.from_state as string | null,
    to: r.to_state as string,
    reason: r.reason as string | null,
    requestId: r.request_id as string | null,
    eventId: r.event_id as string | null,
    ...(r.changes ? { changes: r.changes as TimelineEntry["changes"] } : {}),
  };
}

/** The parent order row, or null. */
export async function findParent(q: Queryable, parentOrderNo: string): Promise<ParentOrder | null> {
  const { rows } = await q.query<ParentRow>("SELECT * FROM parent_orders WHERE parent_order_no = $1", [
    parentOrderNo,
  ]);
  const r = rows[0];
  return r ? toParentOrder(r) : null;
}
