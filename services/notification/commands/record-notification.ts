import type { PoolClient } from "pg";
import { planDeliveries } from "../domain/delivery-plan";
import type { NotificationIntent } from "../domain/event-notifications";
import type { NodeCode } from "../domain/nodes";
import { insertDeliveries } from "../store/delivery.repo";
import type { StoredRule } from "../store/rule.repo";
import type { NotificationDeps } from "./notification-deps";

/**
 * Writes an intent's deliveries in the caller's transaction: one per (eventId, recipient, channel)
 * of the node's rule, IN_APP ones with their inbox message. A redelivered event adds nothing.
 * Returns how many of the event's deliveries wait PENDING for their adapter after commit.
 */
export async function recordNotification(
  deps: NotificationDeps,
  tx: PoolClient,
  intent: NotificationIntent,
  now: Date,
  rules: ReadonlyMap<NodeCode, StoredRule>,
): Promise<number> {
  const rule = rules.get(intent.node);
  if (!rule) {
    deps.log.warn("no rule for notification node", { node: intent.node });
    return 0;
  }
  return insertDeliveries(tx, intent.eventId, planDeliveries(intent, rule), now);
}
