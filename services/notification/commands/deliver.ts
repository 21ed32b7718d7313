import { Coalescer } from "../../../shared/batching/coalescer";
import type { TimerOutcome } from "../../../shared/timers/timers";
import type { ExternalChannel } from "../domain/nodes";
import { afterFailure } from "../domain/retry";
import {
  claimDelivery,
  claimPendingOfEvents,
  type Delivery,
  findDelivery,
  markFailed,
  markSent,
  overdueDeliveries,
} from "../store/delivery.repo";
import { NOTIFY_RETRY, type NotificationDeps } from "./notification-deps";

/** What one send attempt came to; NOT_CLAIMED when the delivery is done, dead, taken or not yet due. */
export type SendResult =
  | { status: "SENT" | "DEAD" | "NOT_CLAIMED" }
  | { status: "FAILED"; nextAttemptAt: Date };

/**
 * Hands a claimed delivery to its channel's adapter. A failure is recorded at once (the next
 * attempt's time, or DEAD after the last one); SENT is left to the caller, which may record
 * several in one statement.
 */
async function handOver(deps: NotificationDeps, delivery: Delivery): Promise<SendResult> {
  const channel = delivery.channel as ExternalChannel;
  try {
    await deps.adapters[channel].send({
      deliveryId: delivery.id,
      channel,
      recipient: delivery.recipient,
      title: delivery.title,
      text: delivery.text,
      attempt: delivery.attempts,
    });
    return { status: "SENT" };
  } catch (err) {
    const failedAt = new Date();
    const { maxAttempts, retryBaseMs } = deps.settings;
    const outcome = afterFailure(delivery.attempts, { maxAttempts, baseMs: retryBaseMs }, failedAt);
    const error = err instanceof Error ? err.message : String(err);
    await markFailed(deps.pool, delivery.id, outcome, error, failedAt);
    deps.log.warn("notification delivery failed", {
      id: delivery.id,
      channel,
      attempt: delivery.attempts,
      error,
    });
    return outcome;
  }
}

/** Arms the retry timer of a failed attempt (outside a retry timer's own run, which re-arms itself). */
async function armRetry(deps: NotificationDeps, id: string, result: SendResult): Promise<void> {
  if (result.status === "FAILED") {
    await deps.timers.schedule(NOTIFY_RETRY, id, result.nextAttemptAt, { deliveryId: id });
  }
}

/**
 * Sends one delivery through its channel's adapter, at most once per claim: the row is claimed
 * (PENDING/FAILED -> SENDING, attempts + 1) before sending, so SENT never sends twice and two
 * pods never send together. A failure schedules the next attempt or dead-letters the delivery.
 */
export async function sendDelivery(
  deps: NotificationDeps,
  id: string,
  now = new Date(),
): Promise<SendResult> {
  const staleBefore = new Date(now.getTime() - deps.settings.sendingLeaseMs);
  const delivery = await claimDelivery(deps.pool, id, now, staleBefore);
  if (!delivery) return { status: "NOT_CLAIMED" };
  const result = await handOver(deps, delivery);
  if (result.status === "SENT") await markSent(deps.pool, [id], new Date());
  return result;
}

/** Sends and, on failure, arms the retry timer (outside a retry timer's own run). */
async function sendAndArm(deps: NotificationDeps, id: string, now = new Date()): Promise<SendResult> {
  const result = await sendDelivery(deps, id, now);
  await armRetry(deps, id, result);
  return result;
}

/**
 * Sends the deliveries still PENDING of events (new ones, or left by a crash before sending): one
 * statement claims them all, their adapters run side by side, and one statement records every
 * SENT. Each failure is recorded and its retry armed on its own, as for a single send. Answers,
 * per event, the store or timer error that hit one of its deliveries, if any.
 */
async function sendPendingOfEvents(deps: NotificationDeps, eventIds: string[]): Promise<(unknown | null)[]> {
  const claimed = await claimPendingOfEvents(deps.pool, eventIds, new Date());
  const sent: string[] = [];
  const broken = new Map<string, unknown>();
  await Promise.all(
    claimed.map(async (delivery) => {
      try {
        const result = await handOver(deps, delivery);
        if (result.status === "SENT") sent.push(delivery.id);
        await armRetry(deps, delivery.id, result);
      } catch (err) {
        broken.set(delivery.eventId, err);
      }
    }),
  );
  // A store or timer error on one delivery must not leave the others' sends unrecorded.
  if (sent.length > 0) await markSent(deps.pool, sent, new Date());
  return eventIds.map((id) => broken.get(id) ?? null);
}

// One sender per service instance: events whose sends are due together are claimed and recorded together.
const senders = new WeakMap<NotificationDeps, Coalescer<string, unknown | null>>();

/** Sends an event's deliveries still PENDING, with those of the other events being sent at the same time. */
export async function sendPendingOf(deps: NotificationDeps, eventId: string): Promise<void> {
  let sender = senders.get(deps);
  if (!sender) {
    sender = new Coalescer((eventIds) => sendPendingOfEvents(deps, eventIds), { maxBatch: 64 });
    senders.set(deps, sender);
  }
  const broken = await sender.submit(eventId);
  if (broken) throw broken;
}

/** The `notify-retry` timer: the next attempt; a further failure re-arms the same timer. */
export async function retryDelivery(
  deps: NotificationDeps,
  id: string,
  firedAt: Date,
): Promise<TimerOutcome> {
  const result = await sendDelivery(deps, id, firedAt);
  if (result.status === "FAILED") return { rearmAt: result.nextAttemptAt };
  if (result.status !== "NOT_CLAIMED") return undefined;
  // Fired before the row's time by this pod's clock: wait for it.
  const delivery = await findDelivery(deps.pool, id);
  if (delivery?.status === "FAILED" && delivery.nextAttemptAt > firedAt)
    return { rearmAt: delivery.nextAttemptAt };
  return undefined;
}

/** Sweeper: deliveries whose retry timer was lost, or whose sender vanished mid-send. */
export async function sweepDeliveries(deps: NotificationDeps, now: Date): Promise<void> {
  const staleBefore = new Date(now.getTime() - deps.settings.sendingLeaseMs);
  for (const id of await overdueDeliveries(deps.pool, now, staleBefore)) await sendAndArm(deps, id, now);
}

/** For redrive: the same path as a first send. */
export const sendNow = (deps: NotificationDeps, id: string) => sendAndArm(deps, id);
