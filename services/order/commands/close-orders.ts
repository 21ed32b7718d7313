import type { Pool } from "pg";
import type { ReleasePartParams, UnlockParams } from "../../../shared/contracts/promotion.contract";
import { type Queryable, withTransaction } from "../../../shared/db/pool";
import { notFound, OmsError } from "../../../shared/errors";
import { recordEvent } from "../../../shared/outbox/outbox";
import { type ActorRole, apply } from "../../../shared/state-machine/engine";
import { childHolds } from "../domain/holds";
import type { ChildOrder } from "../domain/order";
import { STANDARD_ORDER_GUARDS, STANDARD_ORDER_TABLE } from "../domain/order-states";
import { ORDER_EVENTS, type OrderClosedPayload } from "../order.events";
import { appendTimeline, findOrders, findParent, updateOrder } from "../store/order.repo";

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

// A timeout skips orders paid meanwhile. A whole-checkout cancel leaves alone the children a merchant closed
// before; with none left open the state table refuses it, so a repeated cancel is INVALID_TRANSITION.
function closingOf(targets: ChildOrder[], cmd: CloseCommand): ChildOrder[] {
  if (cmd.event === "payment.timeout") return targets.filter((o) => o.status === "PENDING_PAYMENT");
  if (cmd.orderNos) return targets;
  const open = targets.filter((o) => o.status !== "CLOSED");
  return open.length > 0 ? open : targets;
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
    const closing = closingOf(targets, cmd);
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
        shopId: order.shopId,
        reason: cmd.reason,
        parentFullyClosed,
      };
      await recordEvent(tx, ORDER_EVENTS.closed, payload, cmd.now);
    }
    return closing;
  });
}

/** The actions returning holds take, as the broker's `call`. */
export interface HoldCalls {
  release(params: { reservationId: string; reason: string }): Promise<unknown>;
  unlock(params: UnlockParams): Promise<unknown>;
  releasePart(params: ReleasePartParams): Promise<unknown>;
}

/**
 * Returns what a closed unpaid child held: its stock, then its own part of the checkout's coupons and coins
 * while siblings stay open (keyed by its order number, so a redelivery returns nothing twice), or whatever
 * the checkout's lock still holds once the last child is closed.
 */
export async function returnHolds(q: Queryable, calls: HoldCalls, closed: OrderClosedPayload): Promise<void> {
  if (closed.holdsReturned) return;
  await calls.release({ reservationId: closed.orderNo, reason: closed.reason });
  if (closed.parentFullyClosed) {
    await calls.unlock({ lockId: closed.parentOrderNo, reason: closed.reason });
    return;
  }
  const parent = await findParent(q, closed.parentOrderNo);
  if (!parent) throw notFound("Parent order", { parentOrderNo: closed.parentOrderNo });
  const holds = childHolds(
    parent,
    await findOrders(q, { parentOrderNo: closed.parentOrderNo }),
    closed.orderNo,
  );
  // Nothing of this child was locked (the checkout may have no lock at all).
  if (holds.couponIds.length === 0 && holds.coins === 0) return;
  await calls.releasePart({
    lockId: closed.parentOrderNo,
    partId: closed.orderNo,
    ...holds,
    reason: closed.reason,
  });
}
