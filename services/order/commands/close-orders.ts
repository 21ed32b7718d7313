import type { Pool } from "pg";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { recordEvent } from "../../../shared/outbox/outbox";
import { type ActorRole, apply } from "../../../shared/state-machine/engine";
import type { ChildOrder } from "../domain/order";
import { STANDARD_ORDER_GUARDS, STANDARD_ORDER_TABLE } from "../domain/order-states";
import { ORDER_EVENTS, type OrderClosedPayload } from "../order.events";
import { appendTimeline, findOrders, updateOrder } from "../store/order.repo";

/** Who closes, when and why. */
export interface CloseCommand {
  parentOrderNo: string;
  /** Only these children (a merchant's cancel); all open children of the parent otherwise. */
  orderNos?: string[];
  event: "cancel" | "payment.timeout";
  reason: string;
  actor: string;
  role: ActorRole;
  requestId: string | null;
  now: Date;
  /** Throws when the caller may not close this order (checked under the row lock). */
  authorize?: (order: ChildOrder) => void;
}

/**
 * Closes pending child orders of one parent in one transaction, through the
 * state table, with their timeline entries and `order.closed` events. A
 * timeout skips orders no longer pending (paid meanwhile); a cancel of an
 * order that is not pending is INVALID_TRANSITION.
 */
export async function closeOrders(pool: Pool, cmd: CloseCommand): Promise<ChildOrder[]> {
  return withTransaction(pool, async (tx) => {
    const all = await findOrders(tx, { parentOrderNo: cmd.parentOrderNo }, true);
    const targets = all.filter((o) => !cmd.orderNos || cmd.orderNos.includes(o.orderNo));
    if (targets.length === 0)
      throw new OmsError("NOT_FOUND", "Order not found", { parentOrderNo: cmd.parentOrderNo });
    const closing =
      cmd.event === "payment.timeout" ? targets.filter((o) => o.status === "PENDING_PAYMENT") : targets;
    for (const order of closing) {
      cmd.authorize?.(order);
      const result = apply(STANDARD_ORDER_TABLE, order.status, cmd.event, {
        now: cmd.now,
        actor: cmd.actor,
        role: cmd.role,
        reason: cmd.reason,
        requestId: cmd.requestId,
        facts: {},
        guards: STANDARD_ORDER_GUARDS,
      });
      order.status = result.to;
      order.closedAt = cmd.now;
      order.closeReason = cmd.reason;
      await updateOrder(tx, order);
      await appendTimeline(tx, order.orderNo, [result.timelineEntry]);
    }
    const parentFullyClosed = all.every((o) => o.status === "CLOSED");
    for (const order of closing) {
      const payload: OrderClosedPayload = {
        orderNo: order.orderNo,
        parentOrderNo: order.parentOrderNo,
        buyerId: order.buyerId,
        reason: cmd.reason,
        parentFullyClosed,
      };
      await recordEvent(tx, ORDER_EVENTS.closed, payload, cmd.now);
    }
    return closing;
  });
}
