import type { NotificationIntent } from "./event-notifications";
import { formatDeadline, formatYuan } from "./placeholders";

/** What the service knows of an order from its events (it never reads the order service's tables). */
export interface OrderFacts {
  orderNo: string;
  buyerId: string;
  shopId: string;
  payableMinor: number | null;
  paymentDeadline: Date | null;
  paidAt: Date | null;
  closedAt: Date | null;
  autoConfirmAt: Date | null;
  completedAt: Date | null;
  paymentRemindedAt: Date | null;
  autoConfirmRemindedAt: Date | null;
}

/** Timer kinds of the two reminders; the timer key is the child order number. */
export const PAYMENT_REMINDER = "payment-reminder";
export const AUTO_CONFIRM_REMINDER = "auto-confirm-reminder";
export type ReminderKind = typeof PAYMENT_REMINDER | typeof AUTO_CONFIRM_REMINDER;

/** A timer may fire a little early by the clock of the pod running it. */
const EARLY_TOLERANCE_MS = 1_000;

/** The dedupe key of a reminder: a timer firing twice (or the sweeper after it) sends once. */
export const reminderEventId = (kind: ReminderKind, orderNo: string) => `${kind}:${orderNo}`;

/**
 * When a reminder for this deadline fires (the deadline minus the lead time), if that is still in
 * the future; null without a deadline or when it is nearer than the lead time.
 */
export function reminderAhead(deadline: Date | null, leadMs: number, now: Date): Date | null {
  if (!deadline) return null;
  const at = deadline.getTime() - leadMs;
  return at > now.getTime() ? new Date(at) : null;
}

/** Whether the order already moved past what the reminder is about (paid or closed; completed). */
function movedOn(kind: ReminderKind, facts: OrderFacts): string | null {
  if (kind === PAYMENT_REMINDER) return facts.paidAt ? "paid" : facts.closedAt ? "closed" : null;
  return facts.completedAt ? "completed" : null;
}

/** When to arm the reminder: only in the future (a deadline nearer than the lead time gets none) and while it matters. */
export function shouldArm(kind: ReminderKind, facts: OrderFacts, leadMs: number, now: Date): Date | null {
  if (movedOn(kind, facts)) return null;
  return reminderAhead(kind === PAYMENT_REMINDER ? facts.paymentDeadline : facts.autoConfirmAt, leadMs, now);
}

export type ReminderDecision =
  | { action: "SEND"; intent: NotificationIntent }
  | { action: "SKIP"; reason: string }
  | { action: "WAIT"; until: Date };

/**
 * Whether a reminder that fired now is sent: not when it was sent already, the order moved on
 * (paid or closed; completed), or the deadline passed; later when the deadline moved out.
 */
export function decideReminder(
  kind: ReminderKind,
  facts: OrderFacts,
  leadMs: number,
  now: Date,
): ReminderDecision {
  const payment = kind === PAYMENT_REMINDER;
  if (payment ? facts.paymentRemindedAt : facts.autoConfirmRemindedAt)
    return { action: "SKIP", reason: "sent" };
  const moved = movedOn(kind, facts);
  if (moved) return { action: "SKIP", reason: moved };
  const deadline = payment ? facts.paymentDeadline : facts.autoConfirmAt;
  if (!deadline || deadline.getTime() <= now.getTime()) return { action: "SKIP", reason: "deadline passed" };
  const at = deadline.getTime() - leadMs;
  if (at - EARLY_TOLERANCE_MS > now.getTime()) return { action: "WAIT", until: new Date(at) };
  const audience = { buyerId: facts.buyerId, shopId: facts.shopId };
  const values = payment
    ? {
        orderNo: facts.orderNo,
        amount: facts.payableMinor === null ? undefined : formatYuan(facts.payableMinor),
        deadline: formatDeadline(deadline),
      }
    : { orderNo: facts.orderNo, deadline: formatDeadline(deadline) };
  return {
    action: "SEND",
    intent: {
      node: payment ? "PAYMENT_DUE_SOON" : "AUTO_CONFIRM_SOON",
      eventId: reminderEventId(kind, facts.orderNo),
      orderNo: facts.orderNo,
      audience,
      values,
    },
  };
}
