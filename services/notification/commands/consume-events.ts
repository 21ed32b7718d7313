import type {
  StockDriftClearedPayload,
  StockDriftedPayload,
} from "../../../shared/contracts/inventory.contract";
import type { LogisticsStatusChangedPayload } from "../../../shared/contracts/logistics.contract";
import type {
  AfterSalesStepPayload,
  OrderPaidPayload,
  OrderPlacedPayload,
  OrderStepPayload,
  ReconciledPayload,
} from "../../../shared/contracts/order.contract";
import { withTransaction } from "../../../shared/db/pool";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import {
  type AfterSalesChannel,
  afterSalesNotification,
  completedNotification,
  type NotificationIntent,
  paidNotification,
  placedNotification,
  reconciledNotification,
  shipOverdueNotification,
  shippedNotification,
  signedNotification,
  stockDriftClearedNotification,
  stockDriftedNotification,
} from "../domain/event-notifications";
import { AUTO_CONFIRM_REMINDER, PAYMENT_REMINDER, reminderAhead, shouldArm } from "../domain/reminders";
import { batchConsumer, consumeEvent, type EventPlan } from "./consume-batch";
import { sendPendingOf } from "./deliver";
import type { NotificationDeps } from "./notification-deps";
import { recordNotification } from "./record-notification";

/** `order.closed` as the order service publishes it (the shared contract has no type for it yet). */
export interface OrderClosedPayload {
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  reason: string;
}

/** Events of `order.placed` and `order.paid` committed together at most; their channels let as many in flight. */
export const MAX_BATCH = 64;

/** ORDER_PLACED, and the payment reminder armed before the deadline (its due time noted for the sweeper). */
function placedPlan(deps: NotificationDeps, e: EventEnvelope<OrderPlacedPayload>): EventPlan {
  const p = e.payload;
  return (now) => {
    const leadMs = deps.settings.paymentReminderMs;
    const paymentDeadline = new Date(p.paymentDeadline);
    return {
      eventId: e.eventId,
      orderNo: p.orderNo,
      facts: {
        buyerId: p.buyerId,
        shopId: p.shopId,
        payableMinor: p.payableMinor,
        paymentDeadline,
        paymentRemindAt: reminderAhead(paymentDeadline, leadMs, now),
      },
      intent: placedNotification(e.eventId, p),
      reminder: (facts) => {
        const at = facts && shouldArm(PAYMENT_REMINDER, facts, leadMs, now);
        // The deadline is the first one recorded, never moved: its reminder has not fired while still ahead.
        return at ? { kind: PAYMENT_REMINDER, orderNo: p.orderNo, at, fresh: true } : null;
      },
    };
  };
}

/** PAYMENT_SUCCEEDED; the payment reminder is no longer needed. */
function paidPlan(_deps: NotificationDeps, e: EventEnvelope<OrderPaidPayload>): EventPlan {
  const p = e.payload;
  return () => ({
    eventId: e.eventId,
    orderNo: p.orderNo,
    facts: { buyerId: p.buyerId, shopId: p.shopId, paidAt: new Date(p.paidAt) },
    intent: paidNotification(e.eventId, p),
    cancels: PAYMENT_REMINDER,
  });
}

/** Per service instance: the `order.placed` and `order.paid` consumers, each committing concurrent events together. */
export function batchedConsumers(deps: NotificationDeps) {
  return {
    placed: batchConsumer(deps, placedPlan, MAX_BATCH),
    paid: batchConsumer(deps, paidPlan, MAX_BATCH),
  };
}
export type BatchedConsumers = ReturnType<typeof batchedConsumers>;

/** `order.placed` on its own: ORDER_PLACED, and the payment reminder armed before the deadline. */
export const onOrderPlaced = (deps: NotificationDeps, e: EventEnvelope<OrderPlacedPayload>) =>
  consumeEvent(deps, placedPlan(deps, e));

/** `order.paid` on its own: PAYMENT_SUCCEEDED; the payment reminder is no longer needed. */
export const onOrderPaid = (deps: NotificationDeps, e: EventEnvelope<OrderPaidPayload>) =>
  consumeEvent(deps, paidPlan(deps, e));

/** `order.closed`: no message of its own, but the payment reminder must not fire. */
export function onOrderClosed(deps: NotificationDeps, e: EventEnvelope<OrderClosedPayload>) {
  const p = e.payload;
  return consumeEvent(deps, () => ({
    eventId: e.eventId,
    orderNo: p.orderNo,
    facts: { buyerId: p.buyerId, closedAt: new Date(e.occurredAt) },
    cancels: PAYMENT_REMINDER,
  }));
}

/** `order.shipped`: SHIPPED per package; once the whole order is SHIPPED, the auto-confirm reminder. */
export function onOrderShipped(deps: NotificationDeps, e: EventEnvelope<OrderStepPayload>) {
  const p = e.payload;
  return consumeEvent(deps, (now) => {
    const leadMs = deps.settings.autoConfirmReminderMs;
    const autoConfirmAt = p.status === "SHIPPED" && p.autoConfirmAt ? new Date(p.autoConfirmAt) : undefined;
    return {
      eventId: e.eventId,
      orderNo: p.orderNo,
      facts: {
        buyerId: p.buyerId,
        shopId: p.shopId,
        autoConfirmAt,
        autoConfirmRemindAt: reminderAhead(autoConfirmAt ?? null, leadMs, now),
      },
      intent: shippedNotification(e.eventId, p),
      reminder: (facts) => {
        const at = autoConfirmAt && facts && shouldArm(AUTO_CONFIRM_REMINDER, facts, leadMs, now);
        return at ? { kind: AUTO_CONFIRM_REMINDER, orderNo: p.orderNo, at } : null;
      },
    };
  });
}

/** `order.ship-overdue`: SHIP_OVERDUE, telling the shop and the operators the ship-by deadline passed. */
export function onShipOverdue(deps: NotificationDeps, e: EventEnvelope<OrderStepPayload>) {
  const p = e.payload;
  return consumeEvent(deps, () => ({
    eventId: e.eventId,
    orderNo: p.orderNo,
    facts: { buyerId: p.buyerId, shopId: p.shopId },
    intent: shipOverdueNotification(e.eventId, p),
  }));
}

/** `order.completed`: COMPLETED (the invitation to review); the auto-confirm reminder is moot. */
export function onOrderCompleted(deps: NotificationDeps, e: EventEnvelope<OrderStepPayload>) {
  const p = e.payload;
  return consumeEvent(deps, () => ({
    eventId: e.eventId,
    orderNo: p.orderNo,
    facts: { buyerId: p.buyerId, shopId: p.shopId, completedAt: new Date(p.at) },
    intent: completedNotification(e.eventId, p),
    cancels: AUTO_CONFIRM_REMINDER,
  }));
}

/**
 * `logistics.status-changed`: SIGNED tells the order's buyer (and shop), known from the order's
 * own events; an order not heard of yet throws, so the channel redelivers it later.
 */
export async function onTrackingChanged(
  deps: NotificationDeps,
  e: EventEnvelope<LogisticsStatusChangedPayload>,
) {
  const p = e.payload;
  if (p.status !== "SIGNED") return;
  await consumeEvent(deps, () => ({
    eventId: e.eventId,
    orderNo: p.orderNo,
    facts: null,
    intent: (facts) => {
      if (!facts) throw new Error(`Order ${p.orderNo} signed before its order events arrived; retrying`);
      return signedNotification(e.eventId, p, facts);
    },
  }));
}

/** `aftersales.created|approved|rejected|appealed|refunded`: the matching AFTER_SALES_* node. */
export function onAfterSales(
  deps: NotificationDeps,
  channel: AfterSalesChannel,
  e: EventEnvelope<AfterSalesStepPayload>,
) {
  const p = e.payload;
  return consumeEvent(deps, () => ({
    eventId: e.eventId,
    orderNo: p.orderNo,
    facts: { buyerId: p.buyerId, shopId: p.shopId },
    intent: afterSalesNotification(channel, e.eventId, p),
  }));
}

/**
 * `settlement.reconciled`: RECONCILIATION_MISMATCHED to the operators' inbox when the day's reconciliation
 * listed mismatches.
 */
export function onReconciled(deps: NotificationDeps, e: EventEnvelope<ReconciledPayload>) {
  return tellOperators(deps, e.eventId, reconciledNotification(e.eventId, e.payload));
}

/** `inventory.drifted`: STOCK_DRIFTED to the operators' inbox, a stock check found new drift. */
export function onStockDrifted(deps: NotificationDeps, e: EventEnvelope<StockDriftedPayload>) {
  return tellOperators(deps, e.eventId, stockDriftedNotification(e.eventId, e.payload));
}

/** `inventory.drift-cleared`: STOCK_DRIFT_CLEARED to the operators' inbox, a stock check found the drift gone. */
export function onStockDriftCleared(deps: NotificationDeps, e: EventEnvelope<StockDriftClearedPayload>) {
  return tellOperators(deps, e.eventId, stockDriftClearedNotification(e.eventId, e.payload));
}

/**
 * An event that concerns no order, so no order facts: its deliveries alone, deduplicated like every
 * event's (one per event, recipient and channel), so a redelivery adds nothing.
 */
async function tellOperators(deps: NotificationDeps, eventId: string, intent: NotificationIntent | null) {
  if (!intent) return;
  const rules = await deps.rules.snapshot();
  const pending = await withTransaction(deps.pool, (tx) =>
    recordNotification(deps, tx, intent, new Date(), rules),
  );
  if (pending > 0) await sendPendingOf(deps, eventId);
}
