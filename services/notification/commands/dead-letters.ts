import type { Caller } from "../../../shared/contracts/caller";
import { notFound, OmsError } from "../../../shared/errors";
import { isId } from "../domain/cursor";
import { type Delivery, findDelivery, readDeadLetters, reviveDelivery } from "../store/delivery.repo";
import { sendNow } from "./deliver";
import { DEFAULT_PAGE_SIZE, positionOf, toPage } from "./inbox";
import type { NotificationDeps } from "./notification-deps";
import { assertOperator } from "./rules";

const present = (d: Delivery) => ({
  id: d.id,
  eventId: d.eventId,
  node: d.node,
  channel: d.channel,
  recipient: d.recipient,
  orderNo: d.orderNo,
  text: d.text,
  status: d.status,
  attempts: d.attempts,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  deadAt: d.deadAt?.toISOString() ?? null,
});

/** GET /admin/notifications/dead-letters: deliveries that failed every attempt, most recent first. */
export async function deadLetters(
  deps: NotificationDeps,
  caller: Caller,
  p: { limit?: number; cursor?: string },
) {
  assertOperator(caller);
  const limit = p.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await readDeadLetters(deps.pool, limit, positionOf(p.cursor));
  return toPage(rows, limit, (d) => ({ at: d.deadAt ?? d.createdAt, id: d.id }), present);
}

/**
 * POST /admin/notifications/dead-letters/{id}/redrive: a fresh set of attempts, the first one now.
 * Unknown id 404; a delivery that is not dead 409 CONFLICT.
 */
export async function redrive(deps: NotificationDeps, caller: Caller, id: string) {
  assertOperator(caller);
  const revived = isId(id) ? await reviveDelivery(deps.pool, id, new Date()) : null;
  if (!revived) {
    const existing = isId(id) ? await findDelivery(deps.pool, id) : null;
    if (!existing) throw notFound("Dead letter", { id });
    throw new OmsError("CONFLICT", "Only a dead-lettered delivery can be redriven", {
      id,
      status: existing.status,
    });
  }
  await sendNow(deps, id);
  const after = await findDelivery(deps.pool, id);
  return present(after ?? revived);
}
