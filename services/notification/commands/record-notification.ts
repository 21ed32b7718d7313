import type { PoolClient } from "pg";
import { type DeliveryDraft, planDeliveries } from "../domain/delivery-plan";
import type { NotificationIntent } from "../domain/event-notifications";
import type { NodeCode } from "../domain/nodes";
import { insertDeliveries } from "../store/delivery.repo";
import type { StoredRule } from "../store/rule.repo";
import type { NotificationDeps } from "./notification-deps";

/**
 * Plans intents' deliveries: one per (eventId, recipient, channel) of the node's rule. An intent
 * given twice is planned once; a node without a rule plans nothing (with a warning).
 */
export function planNotifications(
  deps: NotificationDeps,
  intents: NotificationIntent[],
  rules: ReadonlyMap<NodeCode, StoredRule>,
): Map<string, DeliveryDraft[]> {
  const planned = new Map<string, DeliveryDraft[]>();
  for (const intent of intents) {
    if (planned.has(intent.eventId)) continue;
    const rule = rules.get(intent.node);
    if (!rule) {
      deps.log.warn("no rule for notification node", { node: intent.node });
      continue;
    }
    planned.set(intent.eventId, planDeliveries(intent, rule));
  }
  return planned;
}

/**
 * Writes intents' deliveries in the caller's transaction, in one statement for all, IN_APP ones
 * with their inbox message. A redelivered event adds nothing, nor does an intent given twice.
 * Returns, per event id, how many of the event's deliveries wait PENDING for their adapter after
 * commit (none for a node without a rule).
 */
export async function recordNotifications(
  deps: NotificationDeps,
  tx: PoolClient,
  intents: NotificationIntent[],
  now: Date,
  rules: ReadonlyMap<NodeCode, StoredRule>,
): Promise<Map<string, number>> {
  const planned = planNotifications(deps, intents, rules);
  if (planned.size === 0) return new Map();
  return insertDeliveries(tx, [...planned.keys()], [...planned.values()].flat(), now);
}

/** One intent's deliveries, as `recordNotifications`; returns how many wait PENDING after commit. */
export async function recordNotification(
  deps: NotificationDeps,
  tx: PoolClient,
  intent: NotificationIntent,
  now: Date,
  rules: ReadonlyMap<NodeCode, StoredRule>,
): Promise<number> {
  const pending = await recordNotifications(deps, tx, [intent], now, rules);
  return pending.get(intent.eventId) ?? 0;
}
