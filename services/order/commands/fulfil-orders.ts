import type { PoolClient } from "pg";
import type { LogisticsStatusChangedPayload } from "../../../shared/contracts/logistics.contract";
import type {
  PackageInterceptedPayload,
  PackageShippedPayload,
} from "../../../shared/contracts/warehouse.contract";
import { OmsError } from "../../../shared/errors";
import { recordEvent } from "../../../shared/outbox/outbox";
import { type ActorRole, apply, noteEntry } from "../../../shared/state-machine/engine";
import type { ChildOrder } from "../domain/order";
import { STANDARD_ORDER_GUARDS, STANDARD_ORDER_TABLE, type StandardOrderEvent } from "../domain/order-states";
import { ORDER_EVENTS, type OrderStepPayload } from "../order.events";
import { appendTimeline, findOrder, updateOrder } from "../store/order.repo";

/** Who acts, when, for which request or event. */
export interface FulfilContext {
  now: Date;
  actor: string;
  role: ActorRole;
  requestId: string | null;
  eventId: string | null;
}

const system = (now: Date, eventId: string | null = null): FulfilContext => ({
  now,
  actor: "system",
  role: "system",
  requestId: null,
  eventId,
});

async function lockOrder(tx: PoolClient, orderNo: string): Promise<ChildOrder> {
  const order = await findOrder(tx, orderNo, true);
  if (!order) throw new OmsError("NOT_FOUND", "Order not found", { orderNo });
  return order;
}

function stepEvent(order: ChildOrder, ctx: FulfilContext): OrderStepPayload {
  return {
    orderNo: order.orderNo,
    parentOrderNo: order.parentOrderNo,
    buyerId: order.buyerId,
    shopId: order.shopId,
    status: order.status,
    at: ctx.now.toISOString(),
  };
}

/**
 * A package was handed over: PARTIALLY_SHIPPED, or SHIPPED when it was the last one (then the
 * auto-confirm deadline is set). Each package counts once; a package reported after the order already
 * moved on (its event overtaken by the last package's) is only recorded. Returns the auto-confirm
 * deadline when the order became SHIPPED.
 */
export async function recordShipment(
  tx: PoolClient,
  p: PackageShippedPayload,
  ctx: FulfilContext,
): Promise<Date | null> {
  const order = await lockOrder(tx, p.orderNo);
  const { rowCount } = await tx.query(
    `INSERT INTO order_shipments (order_no, package_id, method, carrier, tracking_no, shipped_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [p.orderNo, p.packageId, p.method, p.carrier, p.trackingNo, p.shippedAt],
  );
  if (rowCount === 0) return null;
  if (order.status !== "AWAITING_SHIPMENT" && order.status !== "PARTIALLY_SHIPPED") return null;
  order.shippedAt ??= new Date(p.shippedAt);
  const how = p.carrier ? `${p.carrier} ${p.trackingNo}` : p.method;
  const facts = { allPackagesShipped: p.allShipped };
  const result = apply(STANDARD_ORDER_TABLE, order.status, "package.shipped", {
    ...ctx,
    reason: `package ${p.packageId} (${how})`,
    facts,
    guards: STANDARD_ORDER_GUARDS,
  });
  if (result.to === "SHIPPED") {
    order.autoConfirmAt = new Date(ctx.now.getTime() + order.timers.autoConfirmMs);
  }
  order.status = result.to;
  await updateOrder(tx, order);
  await appendTimeline(tx, order.orderNo, [result.timelineEntry]);
  await recordEvent(
    tx,
    ORDER_EVENTS.shipped,
    {
      ...stepEvent(order, ctx),
      packageId: p.packageId,
      carrier: p.carrier,
      trackingNo: p.trackingNo,
      autoConfirmAt: order.autoConfirmAt?.toISOString() ?? null,
    },
    ctx.now,
  );
  return order.autoConfirmAt && order.status === "SHIPPED" ? order.autoConfirmAt : null;
}

/**
 * Units of a PARTIALLY_SHIPPED order were intercepted (cancelled after payment): when every package still
 * holding units has shipped, the order is SHIPPED now and the auto-confirm deadline is set. Returns it then.
 */
export async function recordInterception(
  tx: PoolClient,
  p: PackageInterceptedPayload,
  ctx: FulfilContext,
): Promise<Date | null> {
  const order = await lockOrder(tx, p.orderNo);
  if (order.status !== "PARTIALLY_SHIPPED" || !p.allShipped) return null;
  const result = apply(STANDARD_ORDER_TABLE, order.status, "package.intercepted", {
    ...ctx,
    reason: `units intercepted (${p.interceptId}); the shipped packages are the whole order`,
    facts: { allPackagesShipped: true },
    guards: STANDARD_ORDER_GUARDS,
  });
  order.status = result.to;
  order.autoConfirmAt = new Date(ctx.now.getTime() + order.timers.autoConfirmMs);
  await updateOrder(tx, order);
  await appendTimeline(tx, order.orderNo, [result.timelineEntry]);
  await recordEvent(
    tx,
    ORDER_EVENTS.shipped,
    { ...stepEvent(order, ctx), autoConfirmAt: order.autoConfirmAt.toISOString() },
    ctx.now,
  );
  return order.autoConfirmAt;
}

/**
 * Receipt confirmed, by the buyer or by the auto-confirm timer: COMPLETED, and the after-sales window
 * starts. Returns the order (its `finishAt` is when the window closes).
 */
export async function completeOrder(
  tx: PoolClient,
  orderNo: string,
  ctx: FulfilContext,
  authorize: (order: ChildOrder) => void,
): Promise<ChildOrder> {
  const order = await lockOrder(tx, orderNo);
  authorize(order);
  return complete(tx, order, ctx);
}

async function complete(tx: PoolClient, order: ChildOrder, ctx: FulfilContext): Promise<ChildOrder> {
  const byBuyer = ctx.role === "buyer";
  await transitionTo(tx, order, byBuyer ? "receipt.confirmed" : "autoconfirm.timeout", ctx, (o) => {
    o.completedAt = ctx.now;
    if (byBuyer) o.confirmedAt = ctx.now;
    o.autoConfirmAt = null;
    o.finishAt = new Date(ctx.now.getTime() + o.timers.afterSalesWindowMs);
  });
  await recordEvent(tx, ORDER_EVENTS.completed, stepEvent(order, ctx), ctx.now);
  return order;
}

/**
 * The ship-by deadline passed (timer or sweeper): an order with units still to hand over is flagged overdue
 * once, with a timeline note and `order.ship-overdue` for the shop and the operators. Anything else is left alone.
 */
export async function flagShipOverdue(tx: PoolClient, orderNo: string, now: Date): Promise<boolean> {
  const order = await findOrder(tx, orderNo, true);
  const unshipped = order?.status === "AWAITING_SHIPMENT" || order?.status === "PARTIALLY_SHIPPED";
  if (!order || !unshipped || !order.shipBy || order.shipBy > now || order.shipOverdueAt) return false;
  order.shipOverdueAt = now;
  await updateOrder(tx, order);
  const ctx = system(now);
  const reason = `not handed over by ${order.shipBy.toISOString()}`;
  await appendTimeline(tx, orderNo, [noteEntry(order.status, "ship.overdue", { ...ctx, reason })]);
  await recordEvent(
    tx,
    ORDER_EVENTS.shipOverdue,
    { ...stepEvent(order, ctx), shipBy: order.shipBy.toISOString() },
    now,
  );
  return true;
}

/** The auto-confirm timer fired: completes a SHIPPED order that is due; anything else is left alone. */
export async function autoConfirm(tx: PoolClient, orderNo: string, now: Date): Promise<ChildOrder | null> {
  const order = await findOrder(tx, orderNo, true);
  if (order?.status !== "SHIPPED" || !order.autoConfirmAt || order.autoConfirmAt > now) return null;
  return complete(tx, order, system(now));
}

/** The after-sales window closed: COMPLETED -> FINISHED when due; anything else is left alone. */
export async function finishOrder(tx: PoolClient, orderNo: string, now: Date): Promise<boolean> {
  const order = await findOrder(tx, orderNo, true);
  if (order?.status !== "COMPLETED" || !order.finishAt || order.finishAt > now) return false;
  const ctx = system(now);
  await transitionTo(tx, order, "aftersales.window.closed", ctx, () => {});
  await recordEvent(tx, ORDER_EVENTS.finished, stepEvent(order, ctx), now);
  return true;
}

async function transitionTo(
  tx: PoolClient,
  order: ChildOrder,
  event: StandardOrderEvent,
  ctx: FulfilContext,
  change: (order: ChildOrder) => void,
): Promise<void> {
  const result = apply(STANDARD_ORDER_TABLE, order.status, event, {
    ...ctx,
    facts: {},
    guards: STANDARD_ORDER_GUARDS,
  });
  order.status = result.to;
  change(order);
  await updateOrder(tx, order);
  await appendTimeline(tx, order.orderNo, [result.timelineEntry]);
}

/** The buyer's review of a COMPLETED or FINISHED order, once. */
export async function reviewOrder(
  tx: PoolClient,
  orderNo: string,
  review: { rating: number; comment?: string },
  ctx: FulfilContext,
  authorize: (order: ChildOrder) => void,
): Promise<ChildOrder> {
  const order = await lockOrder(tx, orderNo);
  authorize(order);
  if (order.status !== "COMPLETED" && order.status !== "FINISHED")
    throw new OmsError("INVALID_TRANSITION", `review is not allowed in ${order.status}`, {
      state: order.status,
      event: "review",
    });
  if (order.reviewed) throw new OmsError("ALREADY_REVIEWED", "The order is already reviewed", { orderNo });
  order.reviewed = true;
  order.review = { rating: review.rating, comment: review.comment ?? null, at: ctx.now.toISOString() };
  await updateOrder(tx, order);
  await appendTimeline(tx, orderNo, [
    noteEntry(order.status, "review", { ...ctx, reason: `rated ${review.rating}` }),
  ]);
  await recordEvent(tx, ORDER_EVENTS.reviewed, { ...stepEvent(order, ctx), rating: review.rating }, ctx.now);
  return order;
}

/** Tracking news the order keeps: the first SIGNED sets `deliveredAt`; exceptions and returns go on the timeline. */
export async function recordTracking(
  tx: PoolClient,
  p: LogisticsStatusChangedPayload,
  ctx: FulfilContext,
): Promise<void> {
  if (p.status !== "SIGNED" && p.status !== "EXCEPTION" && p.status !== "RETURNED") return;
  const order = await findOrder(tx, p.orderNo, true);
  if (!order) return;
  if (p.status === "SIGNED") order.deliveredAt ??= new Date(p.at);
  await updateOrder(tx, order);
  const reason = `package ${p.packageId} ${p.carrier} ${p.trackingNo} at ${p.at}`;
  await appendTimeline(tx, order.orderNo, [
    noteEntry(order.status, `logistics.${p.status.toLowerCase()}`, { ...ctx, reason }),
  ]);
}

export { system as systemContext };
