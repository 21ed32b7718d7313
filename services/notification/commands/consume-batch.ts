import type { PoolClient } from "pg";
import { Coalescer } from "../../../shared/batching/coalescer";
import { withTransaction } from "../../../shared/db/pool";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import type { NotificationIntent } from "../domain/event-notifications";
import type { OrderFacts, ReminderKind } from "../domain/reminders";
import { recordFactsAndDeliveries } from "../store/event-record.repo";
import { type FactsPatch, readFactsOf, recordFacts } from "../store/order-facts.repo";
import { sendPendingOf } from "./deliver";
import type { NotificationDeps } from "./notification-deps";
import { planNotifications, recordNotifications } from "./record-notification";

/** A reminder timer to arm after commit (its due time is noted with the facts, for the sweeper). */
export interface Reminder {
  kind: ReminderKind;
  orderNo: string;
  at: Date;
  /**
   * Armed in one round trip without a state check (`Timers.arm`): the key cannot have fired while
   * its due time is still ahead, and arming a pending one again is a no-op. Otherwise `schedule`.
   */
  fresh?: boolean;
}

/** What one event does; planned when its batch is written. */
export interface EventWork {
  eventId: string;
  orderNo: string;
  /** What the event tells about the order; null only reads what is known of it. */
  facts: FactsPatch | null;
  /**
   * Its notification; or, when it depends on what is known of the order, a function of the order's
   * facts once the batch is recorded (it throws to retry the event later).
   */
  intent?: NotificationIntent | ((facts: OrderFacts | null) => NotificationIntent | null);
  /** The reminder to arm after commit, decided on the same facts. */
  reminder?: (facts: OrderFacts | null) => Reminder | null;
  /** The reminder the event makes moot, cancelled after commit. */
  cancels?: ReminderKind;
}

/** Plans an event's work at `now`, the time its batch is written. */
export type EventPlan = (now: Date) => EventWork;

/** What is left of an event once its transaction committed. */
interface Committed {
  work: EventWork;
  reminder: Reminder | null;
  pending: number;
}

/** The batch's orders' facts: recorded in one statement from the events that tell some, read for the rest. */
async function factsOf(tx: PoolClient, works: EventWork[]): Promise<Map<string, OrderFacts | null>> {
  const patches = works.flatMap((w) => (w.facts ? [{ orderNo: w.orderNo, patch: w.facts }] : []));
  const facts = patches.length > 0 ? await recordFacts(tx, patches) : new Map<string, OrderFacts | null>();
  const unread = [...new Set(works.map((w) => w.orderNo).filter((orderNo) => !facts.has(orderNo)))];
  if (unread.length === 0) return facts;
  for (const [orderNo, known] of await readFactsOf(tx, unread)) facts.set(orderNo, known);
  return facts;
}

/**
 * Events in ONE statement however many, when every event tells facts and its notification does
 * not depend on them (order placed, paid, shipped ...): all their facts (with the reminders' due
 * times, for the sweeper) and all their deliveries (IN_APP with the inbox message). Otherwise in one
 * transaction of four statements: the facts first (a read more for events that only look at them),
 * then the notifications decided on them, then the deliveries. Every write is idempotent, so a
 * redelivered event finishes whatever a crash interrupted and adds nothing else, and a batch that
 * failed can be retried event by event.
 */
async function commitEvents(deps: NotificationDeps, plans: EventPlan[]): Promise<Committed[]> {
  const now = new Date();
  const works = plans.map((plan) => plan(now));
  const rules = await deps.rules.snapshot();
  const decideOn = (facts: Map<string, OrderFacts | null>) =>
    works.map((work) => {
      const known = facts.get(work.orderNo) ?? null;
      const intent = typeof work.intent === "function" ? work.intent(known) : (work.intent ?? null);
      return { work, intent, reminder: work.reminder?.(known) ?? null };
    });
  const committed = (
    decided: ReturnType<typeof decideOn>,
    pending: Map<string, number> | null,
  ): Committed[] =>
    decided.map(({ work, intent, reminder }) => ({
      work,
      reminder,
      pending: intent ? (pending?.get(intent.eventId) ?? 0) : 0,
    }));

  if (works.every((w) => w.facts && typeof w.intent !== "function")) {
    const intents = works.flatMap((w) => (w.intent && typeof w.intent !== "function" ? [w.intent] : []));
    const planned = planNotifications(deps, intents, rules);
    const patches = works.flatMap((w) => (w.facts ? [{ orderNo: w.orderNo, patch: w.facts }] : []));
    const { facts, pending } = await recordFactsAndDeliveries(
      deps.pool,
      patches,
      [...planned.keys()],
      [...planned.values()].flat(),
      now,
    );
    return committed(decideOn(facts), pending);
  }
  return withTransaction(deps.pool, async (tx) => {
    const decided = decideOn(await factsOf(tx, works));
    const intents = decided.flatMap((d) => (d.intent ? [d.intent] : []));
    const pending = intents.length > 0 ? await recordNotifications(deps, tx, intents, now, rules) : null;
    return committed(decided, pending);
  });
}

/** After commit: arms the reminder, sends the deliveries waiting for other channels, drops a moot reminder. */
async function afterCommit(deps: NotificationDeps, { work, reminder, pending }: Committed): Promise<void> {
  if (reminder) {
    const { kind, orderNo, at } = reminder;
    if (reminder.fresh) await deps.timers.arm(kind, orderNo, at, { orderNo });
    else await deps.timers.schedule(kind, orderNo, at, { orderNo });
  }
  if (pending > 0) await sendPendingOf(deps, work.eventId);
  if (work.cancels) await deps.timers.cancel(work.cancels, work.orderNo);
}

/** One event on its own: a batch of one, then its after-commit work. */
export async function consumeEvent(deps: NotificationDeps, plan: EventPlan): Promise<void> {
  const [committed] = await commitEvents(deps, [plan]);
  if (committed) await afterCommit(deps, committed);
}

/**
 * A consumer whose concurrent events are committed together (a `Coalescer`: a lone event goes at
 * once, under load the batches grow to `maxBatch`); a failed batch is retried event by event. The
 * after-commit work stays each caller's own, so a failed send or timer fails only its event.
 */
export function batchConsumer<T>(
  deps: NotificationDeps,
  planOf: (deps: NotificationDeps, e: EventEnvelope<T>) => EventPlan,
  maxBatch: number,
): (e: EventEnvelope<T>) => Promise<void> {
  const batches = new Coalescer<EventPlan, Committed>((plans) => commitEvents(deps, plans), { maxBatch });
  return async (e) => afterCommit(deps, await batches.submit(planOf(deps, e)));
}
