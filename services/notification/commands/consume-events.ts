import type { PoolClient } from "pg";
import type { LogisticsStatusChangedPayload } from "../../../shared/contracts/logistics.contract";
import type {
  AfterSalesStepPayload,
  OrderPaidPayload,
  OrderPlacedPayload,
  OrderStepPayload,
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
  shipOverdueNotification,
  shippedNotification,
  signedNotification,
} from "../domain/event-notifications";
import {
  AUTO_CONFIRM_REMINDER,
  PAYMENT_REMINDER,
  type ReminderKind,
  reminderAhead,
  shouldArm,
} from "../domain/reminders";
import { readFacts, recordFacts } from "../store/order-facts.repo";
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

/** A reminder timer to arm after commit (its due time is noted with the facts, for the sweeper). */
interface Reminder {
  kind: ReminderKind;
  orderNo: string;
  at: Date;
}

/**
 * One event in one transaction: what it tells about the order (with a reminder's due time, for the
 * sweeper) and its deliveries (IN_APP with the inbox message). After commit the reminder timer is
 * armed and the other channels are sent, if any wait. Every step is idempotent, so a redelivered
 * event finishes whatever a crash interrupted and adds nothing else.
 */
async function consume(
  deps: NotificationDeps,
  eventId: string,
  work: (
    tx: PoolClient,
    now: Date,
  ) => Promise<{ intent?: NotificationIntent | null; reminder?: Reminder | null }>,
): Promise<void> {
  const now = new Date();
  const rules = await deps.rules.snapshot();
  const { reminder, pending } = await withTransaction(deps.pool, async (tx) => {
    const done = await work(tx, now);
    const pending = done.intent ? await recordNotification(deps, tx, done.intent, now, rules) : 0;
    return { reminder: done.reminder, pending };
  });
  if (reminder) {
    await deps.timers.schedule(reminder.kind, reminder.orderNo, reminder.at, { orderNo: reminder.orderNo });
  }
  if (pending > 0) await sendPendingOf(deps, eventId);
}

/** `order.placed`: ORDER_PLACED, and the payment reminder armed before the deadline. */
export function onOrderPlaced(deps: NotificationDeps, e: EventEnvelope<OrderPlacedPayload>) {
  const p = e.payload;
  return consume(deps, e.eventId, async (tx, now) => {
    const leadMs = deps.settings.paymentReminderMs;
    const paymentDeadline = new Date(p.paymentDeadline);
    const facts = await recordFacts(tx, p.orderNo, {
      buyerId: p.buyerId,
      shopId: p.shopId,
      payableMinor: p.payableMinor,
      paymentDeadline,
      paymentRemindAt: reminderAhead(paymentDeadline, leadMs, now),
    });
    const at = facts && shouldArm(PAYMENT_REMINDER, facts, leadMs, now);
    return {
      intent: placedNotification(e.eventId, p),
      reminder: at ? { kind: PAYMENT_REMINDER, orderNo: p.orderNo, at } : null,
    };
  });
}

/** `order.paid`: PAYMENT_SUCCEEDED; the payment reminder is no longer needed. */
export async function onOrderPaid(deps: NotificationDeps, e: EventEnvelope<OrderPaidPayload>) {
  const p = e.payload;
  await consume(deps, e.eventId, async (tx) => {
    await recordFacts(tx, p.orderNo, { buyerId: p.buyerId, shopId: p.shopId, paidAt: new Date(p.paidAt) });
    return { intent: paidNotification(e.eventId, p) };
  });
  await deps.timers.cancel(PAYMENT_REMINDER, p.orderNo);
}

/** `order.closed`: no message of its own, but the payment reminder must not fire. */
export async function onOrderClosed(deps: NotificationDeps, e: EventEnvelope<OrderClosedPayload>) {
  const p = e.payload;
  await consume(deps, e.eventId, async (tx) => {
    await recordFacts(tx, p.orderNo, { buyerId: p.buyerId, closedAt: new Date(e.occurredAt) });
    return {};
  });
  await deps.timers.cancel(PAYMENT_REMINDER, p.orderNo);
}

/** `order.shipped`: SHIPPED per package; once the whole order is SHIPPED, the auto-confirm reminder. */
export function onOrderShipped(deps: NotificationDeps, e: EventEnvelope<OrderStepPayload>) {
  const p = e.payload;
  return consume(deps, e.eventId, async (tx, now) => {
    const leadMs = deps.settings.autoConfirmReminderMs;
    const autoConfirmAt = p.status === "SHIPPED" && p.autoConfirmAt ? new Date(p.autoConfirmAt) : undefined;
    const facts = await recordFacts(tx, p.orderNo, {
      buyerId: p.buyerId,
      shopId: p.shopId,
      autoConfirmAt,
      autoConfirmRemindAt: reminderAhead(autoConfirmAt ?? null, leadMs, now),
    });
    const at = autoConfirmAt && facts && shouldArm(AUTO_CONFIRM_REMINDER, facts, leadMs, now);
    return {
      intent: shippedNotification(e.eventId, p),
      reminder: at ? { kind: AUTO_CONFIRM_REMINDER, orderNo: p.orderNo, at } : null,
    };
  });
}

/** `order.ship-overdue`: SHIP_OVERDUE, telling the shop and the operators the ship-by deadline passed. */
export function onShipOverdue(deps: NotificationDeps, e: EventEnvelope<OrderStepPayload>) {
  const p = e.payload;
  return consume(deps, e.eventId, async (tx) => {
    await recordFacts(tx, p.orderNo, { buyerId: p.buyerId, shopId: p.shopId });
    return { intent: shipOverdueNotification(e.eventId, p) };
  });
}

/** `order.completed`: COMPLETED (the invitation to review); the auto-confirm reminder is moot. */
export async function onOrderCompleted(deps: NotificationDeps, e: EventEnvelope<OrderStepPayload>) {
  const p = e.payload;
  await consume(deps, e.eventId, async (tx) => {
    await recordFacts(tx, p.orderNo, { buyerId: p.buyerId, shopId: p.shopId, completedAt: new Date(p.at) });
    return { intent: completedNotification(e.eventId, p) };
  });
  await deps.timers.cancel(AUTO_CONFIRM_REMINDER, p.orderNo);
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
  await consume(deps, e.eventId, async (tx) => {
    const facts = await readFacts(tx, p.orderNo);
    if (!facts) throw new Error(`Order ${p.orderNo} signed before its order events arrived; retrying`);
    return { intent: signedNotification(e.eventId, p, facts) };
  });
}

/** `aftersales.created|approved|rejected|appealed|refunded`: the matching AFTER_SALES_* node. */
export function onAfterSales(
  deps: NotificationDeps,
  channel: AfterSalesChannel,
  e: EventEnvelope<AfterSalesStepPayload>,
) {
  const p = e.payload;
  return consume(deps, e.eventId, async (tx) => {
    await recordFacts(tx, p.orderNo, { buyerId: p.buyerId, shopId: p.shopId });
    return { intent: afterSalesNotification(channel, e.eventId, p) };
  });
}
