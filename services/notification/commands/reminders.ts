import { withTransaction } from "../../../shared/db/pool";
import type { TimerOutcome } from "../../../shared/timers/timers";
import { decideReminder, PAYMENT_REMINDER, type ReminderKind, reminderEventId } from "../domain/reminders";
import { dueReminders, markReminded, readFacts } from "../store/order-facts.repo";
import { sendPendingOf } from "./deliver";
import type { NotificationDeps } from "./notification-deps";
import { recordNotification } from "./record-notification";

const leadOf = (deps: NotificationDeps, kind: ReminderKind) =>
  kind === PAYMENT_REMINDER ? deps.settings.paymentReminderMs : deps.settings.autoConfirmReminderMs;

/**
 * A reminder timer fired (or the sweeper found it overdue): sends PAYMENT_DUE_SOON /
 * AUTO_CONFIRM_SOON unless the order moved on meanwhile, under an event id derived from the
 * timer, so firing twice sends once. A deadline that moved out re-arms the timer.
 */
export async function fireReminder(
  deps: NotificationDeps,
  kind: ReminderKind,
  orderNo: string,
  now = new Date(),
): Promise<TimerOutcome> {
  const rules = await deps.rules.snapshot();
  const decision = await withTransaction(deps.pool, async (tx) => {
    const facts = await readFacts(tx, orderNo, true);
    if (!facts) return null;
    const decided = decideReminder(kind, facts, leadOf(deps, kind), now);
    if (decided.action === "SEND") await recordNotification(deps, tx, decided.intent, now, rules);
    const alreadySent = decided.action === "SKIP" && decided.reason === "sent";
    if (decided.action !== "WAIT" && !alreadySent) await markReminded(tx, orderNo, kind, now);
    return decided;
  });
  if (decision?.action === "WAIT") return { rearmAt: decision.until };
  if (decision?.action === "SEND") await sendPendingOf(deps, reminderEventId(kind, orderNo));
  return undefined;
}

/** Sweeper: reminders whose timer was lost. */
export async function sweepReminders(deps: NotificationDeps, now: Date): Promise<void> {
  for (const { kind, orderNo } of await dueReminders(deps.pool, now)) {
    await fireReminder(deps, kind, orderNo, now);
  }
}
