import type { PoolClient } from "pg";
import type { ReservedLine } from "../../../shared/contracts/inventory.contract";
import type { PaymentSucceededPayload, RefundParams } from "../../../shared/contracts/payment.contract";
import type { ReleasePartParams } from "../../../shared/contracts/promotion.contract";
import { newEvent } from "../../../shared/outbox/outbox";
import { apply, type TimelineEntry } from "../../../shared/state-machine/engine";
import { childHolds } from "../domain/holds";
import type { ChildOrder } from "../domain/order";
import { DEFAULT_ORDER_TIMERS } from "../domain/order-config";
import { STANDARD_ORDER_GUARDS, STANDARD_ORDER_TABLE } from "../domain/order-states";
import { ORDER_EVENTS, type OrderClosedPayload, type OrderPaidPayload } from "../order.events";
import { type Checkout, findCheckouts, type SettlementWrite, writeSettlement } from "../store/order.repo";

/** What settling a payment needs from other services; every call is idempotent, so redelivery is safe. */
export interface PaymentCalls {
  /** Sells a child's stock: the warehouse of each line, or null when a deduct-on-payment SKU ran out (nothing changed). */
  deduct(orderNo: string): Promise<ReservedLine[] | null>;
  releaseStock(orderNo: string, reason: string): Promise<void>;
  /** Returns one closed child's part of the checkout's coupons and coins (idempotent per part). */
  releasePart(params: ReleasePartParams): Promise<void>;
  redeem(parentOrderNo: string): Promise<void>;
  unlock(parentOrderNo: string, reason: string): Promise<void>;
  refund(params: RefundParams): Promise<void>;
}

/** What settling changed, for the caller to act on after commit. */
export interface Settlement {
  paid: ChildOrder[];
  closedOutOfStock: ChildOrder[];
  refundedMinor: number;
}

/**
 * Settles succeeded payments under the row locks of their checkouts' orders
 * (so a payment timeout firing at the same moment waits, then finds them
 * paid; or closed them first, and then this refunds): each unpaid child is
 * deducted and paid, or closed OUT_OF_STOCK and refunded; whatever of the
 * amount no child kept (orders closed meanwhile, a second payment of a paid
 * checkout) is refunded. Coupons are redeemed for what was paid, returned
 * for what was not. The checkouts are read in one statement, and their state,
 * timeline and events written in `tx` in another, however many payments.
 */
export async function settlePayments(
  tx: PoolClient,
  payments: PaymentSucceededPayload[],
  calls: PaymentCalls,
  now: Date,
): Promise<Settlement[]> {
  const checkouts = await findCheckouts(
    tx,
    payments.map((p) => p.parentOrderNo),
    true,
  );
  const write: SettlementWrite = { orders: [], timeline: [], events: [] };
  const settlements: Settlement[] = [];
  // One after the other: a second payment of the same checkout sees what the first one did.
  for (const p of payments) {
    settlements.push(await settle(checkouts.get(p.parentOrderNo) as Checkout, p, calls, now, write));
  }
  await writeSettlement(tx, write);
  return settlements;
}

/** Settles one payment of `checkout`, adding what it changed to `write`. */
async function settle(
  { parent, children }: Checkout,
  p: PaymentSucceededPayload,
  calls: PaymentCalls,
  now: Date,
  write: SettlementWrite,
): Promise<Settlement> {
  const ctx = { now, actor: "payment", role: "system" as const, requestId: null, eventId: null };
  const paid: ChildOrder[] = [];
  const closedOutOfStock: ChildOrder[] = [];
  const timeline: { orderNo: string; entry: TimelineEntry }[] = [];
  for (const child of children.filter((c) => c.status === "PENDING_PAYMENT")) {
    const sold = await calls.deduct(child.orderNo);
    const stockAvailable = sold !== null;
    for (const line of child.lines) {
      line.warehouseId = sold?.find((l) => l.lineId === line.lineId)?.warehouseId ?? line.warehouseId;
    }
    const result = apply(STANDARD_ORDER_TABLE, child.status, "pay.succeeded", {
      ...ctx,
      reason: stockAvailable ? `paid by ${p.paymentNo}` : "OUT_OF_STOCK",
      facts: { stockAvailable },
      guards: STANDARD_ORDER_GUARDS,
    });
    child.status = result.to;
    child.paymentNo = p.paymentNo;
    child.amounts.paidMinor = child.amounts.payableMinor;
    child.paidAt = new Date(p.paidAt);
    if (result.to === "CLOSED") {
      child.closedAt = now;
      child.closeReason = "OUT_OF_STOCK";
      closedOutOfStock.push(child);
    } else {
      child.shipBy = new Date(
        now.getTime() + (child.timers.shipWithinMs ?? DEFAULT_ORDER_TIMERS.shipWithinMs),
      );
      paid.push(child);
    }
    timeline.push({ orderNo: child.orderNo, entry: result.timelineEntry });
  }

  for (const child of closedOutOfStock) {
    await calls.releaseStock(child.orderNo, "OUT_OF_STOCK");
    await calls.refund(
      refundOf(p, child.orderNo, child.amounts.payableMinor, "OUT_OF_STOCK", `out-of-stock:${child.orderNo}`),
    );
  }
  // A checkout that used no coupons or coins has no promotion lock to redeem or return.
  const locked = (parent?.couponIds.length ?? 0) > 0 || (parent?.coinsUsed ?? 0) > 0;
  if (locked && paid.length > 0) {
    // Every closed child's part goes back before the rest is redeemed (a redeemed lock refuses parts);
    // for a child closed earlier this repeats its own return, which answers what it returned.
    for (const child of children.filter((c) => c.status === "CLOSED")) {
      const holds = childHolds({ coinsUsed: parent?.coinsUsed ?? 0 }, children, child.orderNo);
      if (holds.couponIds.length === 0 && holds.coins === 0) continue;
      const reason = child.closeReason ?? "CLOSED";
      await calls.releasePart({ lockId: p.parentOrderNo, partId: child.orderNo, ...holds, reason });
    }
    await calls.redeem(p.parentOrderNo);
  } else if (locked) {
    await calls.unlock(p.parentOrderNo, "NOT_PAID");
  }

  // Money no child kept: orders closed before the money arrived, or a second payment of a paid checkout.
  const kept = [...paid, ...closedOutOfStock].reduce((sum, c) => sum + c.amounts.payableMinor, 0);
  const unmatched = p.amountMinor - kept;
  if (unmatched > 0) {
    await calls.refund(refundOf(p, null, unmatched, "LATE_PAYMENT", `unmatched:${p.paymentNo}`));
    for (const child of children.filter((c) => c.status === "CLOSED" && !closedOutOfStock.includes(c))) {
      const late = apply(STANDARD_ORDER_TABLE, child.status, "pay.succeeded", {
        ...ctx,
        reason: `late payment ${p.paymentNo} refunded`,
        facts: { stockAvailable: false },
        guards: STANDARD_ORDER_GUARDS,
      });
      timeline.push({ orderNo: child.orderNo, entry: late.timelineEntry });
    }
  }

  const events = [
    ...paid.map((c) =>
      newEvent<OrderPaidPayload>(
        ORDER_EVENTS.paid,
        {
          orderNo: c.orderNo,
          parentOrderNo: c.parentOrderNo,
          buyerId: c.buyerId,
          shopId: c.shopId,
          paymentNo: p.paymentNo,
          paidMinor: c.amounts.paidMinor,
          paidAt: p.paidAt,
          address: c.address,
          lines: c.lines.map((l) => ({
            lineId: l.lineId,
            skuId: l.skuId,
            quantity: l.quantity,
            warehouseId: l.warehouseId,
          })),
        },
        now,
      ),
    ),
    ...closedOutOfStock.map((c) =>
      newEvent<OrderClosedPayload>(
        ORDER_EVENTS.closed,
        {
          orderNo: c.orderNo,
          parentOrderNo: c.parentOrderNo,
          buyerId: c.buyerId,
          shopId: c.shopId,
          reason: "OUT_OF_STOCK",
          parentFullyClosed: children.every((x) => x.status === "CLOSED"),
          holdsReturned: true,
        },
        now,
      ),
    ),
  ];
  write.orders.push(...paid, ...closedOutOfStock);
  write.timeline.push(...timeline);
  write.events.push(...events);
  return {
    paid,
    closedOutOfStock,
    refundedMinor: unmatched + closedOutOfStock.reduce((s, c) => s + c.amounts.payableMinor, 0),
  };
}

function refundOf(
  p: PaymentSucceededPayload,
  orderNo: string | null,
  amountMinor: number,
  reason: string,
  key: string,
): RefundParams {
  return { parentOrderNo: p.parentOrderNo, orderNo, amountMinor, reason, idempotencyKey: key };
}
