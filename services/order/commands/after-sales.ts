import type { PoolClient } from "pg";
import type { AfterSalesStepPayload } from "../../../shared/contracts/order.contract";
import { OmsError } from "../../../shared/errors";
import { recordEvent } from "../../../shared/outbox/outbox";
import { refundRetryAt } from "../../../shared/retry/refund-retry";
import { type ActorRole, apply, noteEntry } from "../../../shared/state-machine/engine";
import { findAppeal } from "../after-sales-queries";
import {
  type AfterSalesAppeal,
  type AfterSalesLine,
  type AfterSalesRequest,
  afterSalesFacts,
  afterSalesStatusOf,
  assertMayReview,
  checkAppealUnits,
  checkRequest,
  type StoredRefundPlan,
} from "../domain/after-sales";
import { coinsByChild } from "../domain/holds";
import type { ChildOrder } from "../domain/order";
import {
  AFTER_SALES_GUARDS,
  AFTER_SALES_TABLE,
  type AfterSalesEvent,
  type AfterSalesType,
  STANDARD_ORDER_GUARDS,
  STANDARD_ORDER_TABLE,
} from "../domain/order-states";
import { applyRefund, planRefund } from "../domain/refund-plan";
import { ORDER_EVENTS } from "../order.events";
import {
  appendAfterSalesTimeline,
  findAfterSales,
  findAfterSalesOfOrder,
  insertAfterSales,
  updateAfterSales,
} from "../store/after-sales.repo";
import {
  appendTimeline,
  findOrder,
  findOrders,
  findParent,
  updateLineRefunds,
  updateOrder,
} from "../store/order.repo";

/** Who acts, when, for which request or event. */
export interface AfterSalesContext {
  now: Date;
  actor: string;
  role: ActorRole;
  requestId: string | null;
  eventId: string | null;
}

/** A request and its order, both locked (order first, always, so two paths never deadlock), and its appeal. */
export interface Locked {
  order: ChildOrder;
  request: AfterSalesRequest;
  appeal: AfterSalesAppeal | null;
}

/** Locks the request's order, then the request; reads its appeal under the lock. */
export async function lockRequest(tx: PoolClient, afterSalesNo: string): Promise<Locked> {
  const peek = await findAfterSales(tx, afterSalesNo);
  if (!peek) throw new OmsError("NOT_FOUND", "After-sales request not found", { afterSalesNo });
  const order = await findOrder(tx, peek.orderNo, true);
  const request = await findAfterSales(tx, afterSalesNo, true);
  if (!order || !request) throw new Error("after-sales request vanished under its lock");
  return { order, request, appeal: await findAppeal(tx, afterSalesNo) };
}

function stepPayload(
  r: AfterSalesRequest,
  ctx: AfterSalesContext,
  reason: string | null,
): AfterSalesStepPayload {
  return {
    afterSalesNo: r.afterSalesNo,
    orderNo: r.orderNo,
    parentOrderNo: r.parentOrderNo,
    buyerId: r.buyerId,
    shopId: r.shopId,
    type: r.type,
    status: r.status,
    refundMinor: r.refundMinor,
    reason,
    at: ctx.now.toISOString(),
  };
}

/** Re-derives the order's afterSalesStatus from its requests and writes the order. */
async function refreshOrder(tx: PoolClient, order: ChildOrder): Promise<void> {
  order.afterSalesStatus = afterSalesStatusOf(order, await findAfterSalesOfOrder(tx, order.orderNo));
  await updateOrder(tx, order);
}

/** A new request on a paid order: PENDING_REVIEW, due for auto-approval after the order type's review timeout. */
export async function createRequest(
  tx: PoolClient,
  input: {
    orderNo: string;
    afterSalesNo: string;
    type: AfterSalesType;
    lines: { lineId: string; quantity: number }[];
    reason: string;
  },
  ctx: AfterSalesContext,
  authorize: (order: ChildOrder) => void,
): Promise<AfterSalesRequest> {
  const order = await findOrder(tx, input.orderNo, true);
  if (!order) throw new OmsError("NOT_FOUND", "Order not found", { orderNo: input.orderNo });
  authorize(order);
  const lines = checkRequest(order, await findAfterSalesOfOrder(tx, order.orderNo), input.type, input.lines);
  const request: AfterSalesRequest = {
    afterSalesNo: input.afterSalesNo,
    orderNo: order.orderNo,
    parentOrderNo: order.parentOrderNo,
    buyerId: order.buyerId,
    shopId: order.shopId,
    type: input.type,
    status: AFTER_SALES_TABLE.initial,
    tableVersion: AFTER_SALES_TABLE.version,
    lines,
    reason: input.reason,
    rejectReason: null,
    // A refund of units not yet handed over asks the warehouse to stop them (cancel after payment).
    intercept: input.type === "REFUND_ONLY" && order.status !== "SHIPPED" && order.status !== "COMPLETED",
    intercepted: null,
    refundMinor: input.type === "EXCHANGE" ? 0 : previewRefund(order, lines),
    refundPlan: null,
    refundNo: null,
    refundedAt: null,
    returnCarrier: null,
    returnTrackingNo: null,
    returnedAt: null,
    receivedAt: null,
    restocked: false,
    replacementPackageIds: [],
    refundAttempts: 0,
    refundFailure: null,
    refundRetryAt: null,
    dueAt: new Date(ctx.now.getTime() + order.timers.afterSalesReviewTimeoutMs),
    createdAt: ctx.now,
    closedAt: null,
    closeReason: null,
  };
  await insertAfterSales(tx, request);
  await appendAfterSalesTimeline(tx, request.afterSalesNo, {
    at: ctx.now.toISOString(),
    actor: ctx.actor,
    role: ctx.role,
    event: "create",
    from: null,
    to: request.status,
    reason: input.reason,
    requestId: ctx.requestId,
    eventId: null,
  });
  await refreshOrder(tx, order);
  await appendTimeline(tx, order.orderNo, [
    noteEntry(order.status, "aftersales.created", {
      ...ctx,
      reason: `${request.type} ${request.afterSalesNo}: ${input.reason}`,
    }),
  ]);
  await recordEvent(tx, ORDER_EVENTS.afterSalesCreated, stepPayload(request, ctx, input.reason), ctx.now);
  return request;
}

// What the request's units paid, as if refunded next (the amount is fixed when the refund is planned).
function previewRefund(order: ChildOrder, lines: readonly AfterSalesLine[]): number {
  const taken = new Map(order.lines.map((l) => [l.lineId, l.refundedQuantity]));
  let total = 0;
  for (const asked of lines) {
    const line = order.lines.find((l) => l.lineId === asked.lineId);
    if (!line) continue;
    const from = Math.min(taken.get(line.lineId) ?? 0, line.quantity - asked.quantity);
    total += line.unitPaidMinor.slice(from, from + asked.quantity).reduce((s, v) => s + v, 0);
  }
  return total;
}

/**
 * Applies one event of the after-sales table to a locked request, with its timelines and event.
 * `change` runs after the state moved (to set deadlines, the refund plan ...).
 */
export async function step(
  tx: PoolClient,
  locked: Locked,
  event: AfterSalesEvent,
  ctx: AfterSalesContext,
  reason: string | null,
  change: (r: AfterSalesRequest) => Promise<void> | void = () => {},
): Promise<AfterSalesRequest> {
  const { order, request } = locked;
  const result = apply(AFTER_SALES_TABLE, request.status, event, {
    ...ctx,
    reason,
    facts: afterSalesFacts(request, locked.appeal, ctx.now),
    guards: AFTER_SALES_GUARDS,
  });
  if (event === "approve" || event === "reject") assertMayReview(ctx.role, request, locked.appeal);
  request.status = result.to;
  request.dueAt = null;
  if (request.status === "CLOSED" || request.status === "SUCCEEDED") request.closedAt = ctx.now;
  await change(request);
  // Entering PENDING_REFUND fixes the refund under the order's lock.
  if (request.status === "PENDING_REFUND" && !request.refundPlan) await planRequestRefund(tx, locked);
  await updateAfterSales(tx, request);
  await appendAfterSalesTimeline(tx, request.afterSalesNo, result.timelineEntry);
  await refreshOrder(tx, order);
  const summary = `${request.afterSalesNo} ${result.from} -> ${result.to}${reason ? `: ${reason}` : ""}`;
  await appendTimeline(tx, order.orderNo, [
    noteEntry(order.status, `aftersales.${event}`, { ...ctx, reason: summary }),
  ]);
  const channel = CHANNEL_OF[event];
  if (channel) await recordEvent(tx, channel, stepPayload(request, ctx, reason), ctx.now);
  return request;
}

/**
 * The provider refused the request's refund: the request stays PENDING_REFUND, the refund is let go so the
 * next one is asked under a new idempotency key, and that is due after a backoff (never once the automatic
 * retries are used up: an operator retries). Null when the request was not waiting for this refund. The
 * refund's number may not be stored yet when its refusal arrives (the provider answered first).
 */
export async function refundRefused(
  tx: PoolClient,
  afterSalesNo: string,
  refundNo: string,
  failure: string,
  ctx: AfterSalesContext,
): Promise<AfterSalesRequest | null> {
  const locked = await lockRequest(tx, afterSalesNo);
  const { request } = locked;
  if (request.status !== "PENDING_REFUND" || (request.refundNo !== null && request.refundNo !== refundNo)) {
    return null;
  }
  return step(tx, locked, "refund.failed", ctx, `refund ${refundNo} refused: ${failure}`, (r) => {
    r.refundNo = null;
    r.refundAttempts += 1;
    r.refundFailure = failure;
    r.refundRetryAt = refundRetryAt(r.refundAttempts, ctx.now);
  });
}

/**
 * The buyer appeals the rejection within its window: the request takes its units back (unless a later request
 * took them) and waits for the platform's review, without a timer.
 */
export async function appealRequest(
  tx: PoolClient,
  locked: Locked,
  ctx: AfterSalesContext,
  reason: string,
): Promise<AfterSalesRequest> {
  const request = await step(tx, locked, "appeal", ctx, reason, async (r) => {
    checkAppealUnits(locked.order, await findAfterSalesOfOrder(tx, r.orderNo), r);
  });
  locked.appeal = { at: ctx.now, reason };
  return request;
}

// The durable event each step announces (notifications, statistics); the platform's final rejection of an appeal
// is an `aftersales.rejected` with status CLOSED.
const CHANNEL_OF: Partial<Record<AfterSalesEvent, string>> = {
  approve: ORDER_EVENTS.afterSalesApproved,
  "review.timeout": ORDER_EVENTS.afterSalesApproved,
  reject: ORDER_EVENTS.afterSalesRejected,
  appeal: ORDER_EVENTS.afterSalesAppealed,
  withdraw: ORDER_EVENTS.afterSalesClosed,
  "return.timeout": ORDER_EVENTS.afterSalesClosed,
  "appeal.timeout": ORDER_EVENTS.afterSalesClosed,
  "refund.succeeded": ORDER_EVENTS.afterSalesSucceeded,
  "replacement.signed": ORDER_EVENTS.afterSalesSucceeded,
};

/**
 * Fixes the refund of a request entering PENDING_REFUND, from the allocation stored at checkout: the units'
 * paid amounts, shipping and coupons when the whole order goes before shipment, coins pro rata. The lines'
 * refunded units and amounts advance now, so a later request plans from what is left.
 */
export async function planRequestRefund(tx: PoolClient, locked: Locked): Promise<StoredRefundPlan> {
  const { order, request } = locked;
  const parent = await findParent(tx, order.parentOrderNo);
  const siblings = await findOrders(tx, { parentOrderNo: order.parentOrderNo });
  const { rows } = await tx.query<{ coins_returned: number }>(
    "SELECT coins_returned FROM orders WHERE order_no = $1",
    [order.orderNo],
  );
  const shipped = order.shippedAt !== null;
  const plan = planRefund({
    order,
    request: request.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
    childCoins: coinsByChild(parent?.coinsUsed ?? 0, siblings).get(order.orderNo) ?? 0,
    coinsReturned: rows[0]?.coins_returned ?? 0,
    shipped,
    holdsPlatformCoupon: siblings.every(
      (s) => s.orderNo === order.orderNo || s.status === "CLOSED" || s.afterSalesStatus === "REFUNDED",
    ),
  });
  const refunded = applyRefund(order, plan);
  order.lines = refunded.lines;
  await updateLineRefunds(tx, order);
  await tx.query("UPDATE orders SET coins_returned = coins_returned + $2 WHERE order_no = $1", [
    order.orderNo,
    plan.coins,
  ]);
  const stored: StoredRefundPlan = { ...plan, shipped };
  request.refundPlan = stored;
  request.refundMinor = plan.totalMinor;
  return stored;
}

/**
 * The money is back with the buyer: the request SUCCEEDED; when the refund took the whole order before
 * anything shipped, the order is CLOSED (FULL_REFUND). Returns the request, or null when it was not waiting.
 */
export async function refundSucceeded(
  tx: PoolClient,
  afterSalesNo: string,
  refundNo: string,
  ctx: AfterSalesContext,
): Promise<Locked | null> {
  const locked = await lockRequest(tx, afterSalesNo);
  if (locked.request.status !== "PENDING_REFUND") return null;
  await step(tx, locked, "refund.succeeded", ctx, `refund ${refundNo}`, (r) => {
    r.refundNo = refundNo;
    r.refundedAt = ctx.now;
  });
  await recordEvent(tx, ORDER_EVENTS.afterSalesRefunded, stepPayload(locked.request, ctx, null), ctx.now);
  const { order, request } = locked;
  if (request.refundPlan?.wholeOrder && !request.refundPlan.shipped && order.status === "AWAITING_SHIPMENT") {
    const closed = apply(STANDARD_ORDER_TABLE, order.status, "refund.completed", {
      ...ctx,
      reason: `FULL_REFUND by ${afterSalesNo}`,
      facts: {},
      guards: STANDARD_ORDER_GUARDS,
    });
    order.status = closed.to;
    order.closedAt = ctx.now;
    order.closeReason = "FULL_REFUND";
    await updateOrder(tx, order);
    await appendTimeline(tx, order.orderNo, [closed.timelineEntry]);
  }
  return locked;
}
