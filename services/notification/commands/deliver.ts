import type { TimerOutcome } from "../../../shared/timers/timers";
import type { ExternalChannel } from "../domain/nodes";
import { afterFailure } from "../domain/retry";
import {
  claimDelivery,
  findDelivery,
  markFailed,
  markSent,
  overdueDeliveries,
  pendingOfEvent,
} from "../store/delivery.repo";
import { NOTIFY_RETRY, type NotificationDeps } from "./notification-deps";

/** What one send attempt came to; NOT_CLAIMED when the delivery is done, dead, taken or not yet due. */
export type SendResult =
  | { status: "SENT" | "DEAD" | "NOT_CLAIMED" }
  | { status: "FAILED"; nextAttemptAt: Date };

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
  } catch (err) {
    const failedAt = new Date();
    const { maxAttempts, retryBaseMs } = deps.settings;
    const outcome = afterFailure(delivery.attempts, { maxAttempts, baseMs: retryBaseMs }, failedAt);
    const error = err instanceof Error ? err.message : String(err);
    await markFailed(deps.pool, id, outcome, error, failedAt);
    deps.log.warn("notification delivery failed", { id, channel, attempt: delivery.attempts, error });
    return outcome;
  }
  await markSent(deps.pool, id, new Date());
  return { status: "SENT" };
}

/** Sends and, on failure, arms the retry timer (outside a retry timer's own run). */
async function sendAndArm(deps: NotificationDeps, id: string, now = new Date()): Promise<SendResult> {
  const result = await sendDelivery(deps, id, now);
  if (result.status === "FAILED") {
    await deps.timers.schedule(NOTIFY_RETRY, id, result.nextAttemptAt, { deliveryId: id });
  }
  return result;
}

/** Sends an event's deliveries still PENDING (new ones, or left by a crash before sending). */
export async function sendPendingOf(deps: NotificationDeps, eventId: string): Promise<void> {
  for (const id of await pendingOfEvent(deps.pool, eventId)) await sendAndArm(deps, id);
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
