import type { Caller } from "../../shared/contracts/caller";
import type { LogisticsStatusChangedPayload } from "../../shared/contracts/logistics.contract";
import type {
  PackageInterceptedPayload,
  PackageShippedPayload,
  PackagesOfResult,
} from "../../shared/contracts/warehouse.contract";
import { withTransaction } from "../../shared/db/pool";
import { OmsError } from "../../shared/errors";
import { consumeOnce } from "../../shared/outbox/inbox";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import {
  autoConfirm,
  completeOrder,
  finishOrder,
  flagShipOverdue,
  recordInterception,
  recordShipment,
  recordTracking,
  reviewOrder,
  systemContext,
} from "./commands/fulfil-orders";
import type { ChildOrder } from "./domain/order";
import { assertCanSee } from "./domain/order-access";
import { presentOrder } from "./domain/order-presenter";
import type { OrderService } from "./order.service";
import { onPackageSigned, onReplacementShipped } from "./order-after-sales";
import { detail } from "./order-queries";

/** Timer kinds of the order's life after shipping; the key is the child order number. */
export const AUTO_CONFIRM = "auto-confirm";
export const AFTER_SALES_WINDOW = "after-sales-window";
export const SHIP_BY = "ship-by";

/** `package.shipped`: the order moves to PARTIALLY_SHIPPED or SHIPPED; the last package arms auto-confirm. */
export async function onPackageShipped(svc: OrderService, envelope: EventEnvelope<PackageShippedPayload>) {
  const p = envelope.payload;
  if (p.afterSalesNo) return onReplacementShipped(svc, p);
  const ctx = { ...systemContext(new Date(), envelope.eventId), actor: "warehouse" };
  const { result: confirmAt } = await consumeOnce(svc.pool, "order-shipping", envelope.eventId, (tx) =>
    recordShipment(tx, p, ctx),
  );
  svc.relay.kick();
  if (confirmAt) await svc.timers.arm(AUTO_CONFIRM, p.orderNo, confirmAt, { orderNo: p.orderNo });
}

/** `package.intercepted`: what is left to ship may be nothing now -> SHIPPED, auto-confirm armed. */
export async function onPackageIntercepted(
  svc: OrderService,
  envelope: EventEnvelope<PackageInterceptedPayload>,
) {
  const p = envelope.payload;
  const ctx = { ...systemContext(new Date(), envelope.eventId), actor: "warehouse" };
  const { result: confirmAt } = await consumeOnce(svc.pool, "order-intercepts", envelope.eventId, (tx) =>
    recordInterception(tx, p, ctx),
  );
  svc.relay.kick();
  if (confirmAt) await svc.timers.arm(AUTO_CONFIRM, p.orderNo, confirmAt, { orderNo: p.orderNo });
}

/** `logistics.status-changed`: SIGNED marks the order delivered; exceptions and returns go on its timeline. */
export async function onTracking(svc: OrderService, envelope: EventEnvelope<LogisticsStatusChangedPayload>) {
  const ctx = { ...systemContext(new Date(), envelope.eventId), actor: "logistics" };
  await consumeOnce(svc.pool, "order-tracking", envelope.eventId, (tx) =>
    recordTracking(tx, envelope.payload, ctx),
  );
  if (envelope.payload.status === "SIGNED")
    await onPackageSigned(svc, envelope.payload.packageId, envelope.eventId);
}

function assertBuyerOf(caller: Caller, order: ChildOrder): void {
  assertCanSee(caller, order);
  if (caller.role !== "buyer")
    throw new OmsError("FORBIDDEN", "Only the buyer does this", { orderNo: order.orderNo });
}

async function afterCompletion(svc: OrderService, order: ChildOrder): Promise<void> {
  svc.relay.kick();
  await svc.timers.cancel(AUTO_CONFIRM, order.orderNo);
  if (order.finishAt) {
    await svc.timers.arm(AFTER_SALES_WINDOW, order.orderNo, order.finishAt, { orderNo: order.orderNo });
  }
}

/** POST /orders/{orderNo}/confirm-receipt: the buyer received a SHIPPED order -> COMPLETED. */
export async function confirmReceipt(
  svc: OrderService,
  caller: Caller,
  orderNo: string,
  requestId: string | null,
) {
  const ctx = { now: new Date(), actor: caller.userId, role: caller.role, requestId, eventId: null };
  const order = await withTransaction(svc.pool, (tx) =>
    completeOrder(tx, orderNo, ctx, (o) => assertBuyerOf(caller, o)),
  );
  await afterCompletion(svc, order);
  return presentOrder(order, caller.role);
}

/** The auto-confirm timer (or the sweeper) fired for a shipped order. */
export async function fireAutoConfirm(svc: OrderService, orderNo: string, now = new Date()) {
  const order = await withTransaction(svc.pool, (tx) => autoConfirm(tx, orderNo, now));
  if (order) await afterCompletion(svc, order);
}

/** The after-sales window timer (or the sweeper) fired for a completed order. */
export async function fireWindowClosed(svc: OrderService, orderNo: string, now = new Date()) {
  if (await withTransaction(svc.pool, (tx) => finishOrder(tx, orderNo, now))) svc.relay.kick();
}

/** POST /orders/{orderNo}/review. */
export async function review(
  svc: OrderService,
  caller: Caller,
  p: { orderNo: string; rating: number; comment?: string },
  requestId: string | null,
) {
  const ctx = { now: new Date(), actor: caller.userId, role: caller.role, requestId, eventId: null };
  const order = await withTransaction(svc.pool, (tx) =>
    reviewOrder(tx, p.orderNo, p, ctx, (o) => assertBuyerOf(caller, o)),
  );
  svc.relay.kick();
  return presentOrder(order, caller.role);
}

/** The order's packages from the warehouse, tracking included (empty before payment). */
export async function packagesOf(svc: OrderService, orderNo: string) {
  const { items } = await svc.broker.call<PackagesOfResult, object>("warehouse.packagesOf", { orderNo });
  return items;
}

/** GET /orders/{orderNo}/packages. */
export async function packages(svc: OrderService, caller: Caller, orderNo: string) {
  await detail(svc, caller, orderNo);
  return { items: await packagesOf(svc, orderNo) };
}

/** The ship-by deadline of a paid order (timer or sweeper). */
export async function fireShipBy(svc: OrderService, orderNo: string, now = new Date()) {
  if (await withTransaction(svc.pool, (tx) => flagShipOverdue(tx, orderNo, now))) svc.relay.kick();
}

/** Overdue work lost timers missed: shipped orders past auto-confirm, completed ones past their window, paid ones past ship-by. */
export async function sweepFulfilment(svc: OrderService, now: Date) {
  const due = await svc.pool.query<{ order_no: string; status: string }>(
    `(SELECT order_no, status FROM orders WHERE status = 'SHIPPED' AND auto_confirm_at <= $1 LIMIT 500)
     UNION ALL
     (SELECT order_no, status FROM orders WHERE status = 'COMPLETED' AND finish_at <= $1 LIMIT 500)
     UNION ALL
     (SELECT order_no, status FROM orders
      WHERE status IN ('AWAITING_SHIPMENT', 'PARTIALLY_SHIPPED') AND ship_overdue_at IS NULL AND ship_by <= $1
      LIMIT 500)`,
    [now],
  );
  for (const r of due.rows) {
    if (r.status === "SHIPPED") await fireAutoConfirm(svc, r.order_no, now);
    else if (r.status === "COMPLETED") await fireWindowClosed(svc, r.order_no, now);
    else await fireShipBy(svc, r.order_no, now);
  }
}
