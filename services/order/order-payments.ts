import { Coalescer } from "../../shared/batching/coalescer";
import type { Caller } from "../../shared/contracts/caller";
import type { DeductResult } from "../../shared/contracts/inventory.contract";
import type {
  PaymentSucceededPayload,
  PreparePaymentResult,
  RefundFailedPayload,
  RefundParams,
  RefundResult,
  RefundSucceededPayload,
} from "../../shared/contracts/payment.contract";
import { withTransaction } from "../../shared/db/pool";
import { OmsError } from "../../shared/errors";
import { consumeOnce, recordInbox } from "../../shared/outbox/inbox";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import { noteEntry } from "../../shared/state-machine/engine";
import { type PaymentCalls, type Settlement, settlePayments } from "./commands/pay-orders";
import { assertCanSee } from "./domain/order-access";
import { plannedLines, remainingLines } from "./domain/settlement";
import type { OrderService } from "./order.service";
import { afterSalesNoOfRefund, onAfterSalesRefunded, onAfterSalesRefundRefused } from "./order-after-sales";
import { announceCheckoutSettled, PAYMENT_TIMEOUT } from "./order-deps";
import { SHIP_BY } from "./order-fulfilment";
import { appendTimeline, findOrders, readCheckout, updateOrder } from "./store/order.repo";
import {
  dueNow,
  dueRefundRetries,
  markRetried,
  type RefundRetry,
  scheduleRefundRetry,
} from "./store/refund-retry.repo";
import { recordOrderRefund } from "./store/settlement.repo";

/**
 * Before a payment starts: the checkout is the caller's, still payable, and
 * its stock is checked again (DOMAIN.md 8). The amount is what its unpaid
 * children owe now.
 */
export async function preparePayment(
  svc: OrderService,
  caller: Caller,
  parentOrderNo: string,
): Promise<PreparePaymentResult> {
  const { children } = await readCheckout(svc.pool, parentOrderNo);
  const first = children[0];
  if (!first) throw new OmsError("NOT_FOUND", "Order not found", { parentOrderNo });
  assertCanSee(caller, first);
  const open = children.filter((c) => c.status === "PENDING_PAYMENT");
  if (open.length === 0) {
    throw new OmsError("INVALID_TRANSITION", "This checkout is not waiting for payment", {
      parentOrderNo,
      state: children.some((c) => c.paidAt) ? "PAID" : "CLOSED",
      event: "pay",
    });
  }
  for (const child of open) await svc.broker.call("inventory.verify", { reservationId: child.orderNo });
  return {
    parentOrderNo,
    buyerId: first.buyerId,
    payableMinor: open.reduce((sum, c) => sum + c.amounts.payableMinor, 0),
    currency: "CNY",
    paymentDeadline: first.paymentDeadline.toISOString(),
    orders: open.map((c) => ({ orderNo: c.orderNo, shopId: c.shopId, payableMinor: c.amounts.payableMinor })),
  };
}

function paymentCalls(svc: OrderService): PaymentCalls {
  const call = (action: string, params: object) => svc.broker.call(action, params);
  return {
    deduct: async (orderNo) => {
      try {
        const sold = (await call("inventory.deduct", { reservationId: orderNo })) as DeductResult;
        return sold.lines;
      } catch (err) {
        if ((err as OmsError).type === "OUT_OF_STOCK") return null;
        throw err;
      }
    },
    releaseStock: async (orderNo, reason) => {
      await call("inventory.release", { reservationId: orderNo, reason });
    },
    releasePart: async (params) => {
      await call("promotion.releasePart", params);
    },
    redeem: async (parentOrderNo) => {
      await call("promotion.redeem", { lockId: parentOrderNo }).catch((err: OmsError) => {
        if (err.type !== "NOT_FOUND") throw err; // a checkout without coupons or coins has no lock
      });
    },
    unlock: async (parentOrderNo, reason) => {
      await call("promotion.unlock", { lockId: parentOrderNo, reason });
    },
    refund: async (params) => {
      await call("payment.refund", params);
    },
  };
}

/** Events settled in one transaction at most. */
export const SETTLE_BATCH_MAX = 64;

/**
 * Settles payments once per event, in one transaction for all the events that
 * arrived together: their inbox rows, their checkouts read and written in one
 * statement each. Answers each event's settlement, or null when it was settled
 * before (a redelivery).
 */
async function settleEvents(
  svc: OrderService,
  envelopes: EventEnvelope<PaymentSucceededPayload>[],
): Promise<(Settlement | null)[]> {
  return withTransaction(svc.pool, async (tx) => {
    const fresh = await recordInbox(
      tx,
      "order-payments",
      envelopes.map((e) => e.eventId),
    );
    // The same event twice in one batch settles once.
    const todo = envelopes.filter((e) => fresh.delete(e.eventId));
    const settled = await settlePayments(
      tx,
      todo.map((e) => e.payload),
      paymentCalls(svc),
      new Date(),
    );
    const byEvent = new Map(todo.map((e, i) => [e.eventId, settled[i]]));
    return envelopes.map((e) => {
      const settlement = byEvent.get(e.eventId) ?? null;
      byEvent.delete(e.eventId);
      return settlement;
    });
  });
}

const settlers = new WeakMap<
  OrderService,
  Coalescer<EventEnvelope<PaymentSucceededPayload>, Settlement | null>
>();

/**
 * `payment.succeeded`: settles the checkout once per event (with the other events arriving at the
 * same time), wakes its long polls, then stops its payment timeout and arms the ship-by timers.
 */
export async function onPaymentSucceeded(
  svc: OrderService,
  envelope: EventEnvelope<PaymentSucceededPayload>,
) {
  let settler = settlers.get(svc);
  if (!settler) {
    settler = new Coalescer((batch) => settleEvents(svc, batch), { maxBatch: SETTLE_BATCH_MAX });
    settlers.set(svc, settler);
  }
  const p = envelope.payload;
  const result = await settler.submit(envelope);
  if (result && result.paid.length + result.closedOutOfStock.length > 0) {
    announceCheckoutSettled(svc, p.parentOrderNo);
  }
  svc.relay.kick();
  await svc.timers.cancel(PAYMENT_TIMEOUT, p.parentOrderNo);
  for (const child of result?.paid ?? []) {
    if (child.shipBy) await svc.timers.arm(SHIP_BY, child.orderNo, child.shipBy, { orderNo: child.orderNo });
  }
}

/** A timeline entry of what the payment service told an order, which leaves its state as it is. */
const paymentNote = (child: { status: string }, event: string, reason: string, eventId: string) =>
  noteEntry(child.status, event, { now: new Date(), actor: "payment", role: "system", reason, eventId });

/**
 * `refund.succeeded`: adds the refund to the child order it was for (once per event), with a timeline entry,
 * and records it for settlement and reconciliation with what its lines gave back.
 */
export async function onRefundSucceeded(svc: OrderService, envelope: EventEnvelope<RefundSucceededPayload>) {
  const r = envelope.payload;
  await consumeOnce(svc.pool, "order-refunds", envelope.eventId, async (tx) => {
    const children = await findOrders(tx, { parentOrderNo: r.parentOrderNo }, true);
    const target = children.find((c) => c.orderNo === r.orderNo);
    if (target) {
      target.amounts.refundedMinor += r.amountMinor;
      await updateOrder(tx, target);
    }
    const note = `${r.reason}: ${r.amountMinor} refunded as ${r.refundNo}`;
    for (const child of target ? [target] : children) {
      await appendTimeline(tx, child.orderNo, [
        paymentNote(child, "refund.succeeded", note, envelope.eventId),
      ]);
    }
    const afterSalesNo = afterSalesNoOfRefund(r.reason);
    const plan = afterSalesNo
      ? await onAfterSalesRefunded(svc, tx, afterSalesNo, r.refundNo, envelope.eventId)
      : null;
    await recordOrderRefund(tx, {
      refundNo: r.refundNo,
      paymentNo: r.paymentNo,
      parentOrderNo: r.parentOrderNo,
      orderNo: target?.orderNo ?? null,
      shopId: target?.shopId ?? null,
      afterSalesNo,
      amountMinor: r.amountMinor,
      // An after-sales refund gives back its plan's units; any other refund of a child (closed
      // OUT_OF_STOCK after payment) all that was left of it.
      lines: plan ? plannedLines(plan) : target ? remainingLines(target.lines) : [],
      reason: r.reason,
      refundedAt: new Date(envelope.occurredAt),
    });
  });
  svc.relay.kick();
}

/**
 * `refund.failed`: the provider refused a refund the orders asked for (once per event). An after-sales
 * request asks again later by itself; any other refund (a child closed sold out, money no child kept) is
 * noted on its child order's timeline (every child's when it was for none) and asked again as a new refund
 * after a backoff (`retryRefusedRefunds`). The reconciliation lists a refusal until a refund for the same
 * purpose is paid.
 */
export async function onRefundFailed(svc: OrderService, envelope: EventEnvelope<RefundFailedPayload>) {
  const r = envelope.payload;
  await consumeOnce(svc.pool, "order-refunds-failed", envelope.eventId, async (tx) => {
    const afterSalesNo = afterSalesNoOfRefund(r.refundReason ?? "");
    if (afterSalesNo) {
      await onAfterSalesRefundRefused(tx, afterSalesNo, r.refundNo, r.reason, envelope.eventId);
      return;
    }
    const children = await findOrders(tx, { parentOrderNo: r.parentOrderNo });
    const target = children.filter((c) => r.orderNo === null || c.orderNo === r.orderNo);
    const note = `${r.refundReason ?? "refund"}: ${r.amountMinor} refused as ${r.refundNo} (${r.reason})`;
    for (const child of target) {
      await appendTimeline(tx, child.orderNo, [paymentNote(child, "refund.failed", note, envelope.eventId)]);
    }
    // Older events do not carry what the refund was for: nothing to ask again with.
    if (r.refundReason) await scheduleRefundRetry(tx, r, r.refundReason, new Date(envelope.occurredAt));
  });
  svc.relay.kick();
}

/**
 * The order sweeper: asks the refused refunds that are due again, each as a new refund of the same purpose
 * (idempotency key `refused:<refused refund number>`, so a retry of this retry is the same refund).
 */
export async function retryRefusedRefunds(svc: OrderService, now: Date) {
  for (const due of await dueRefundRetries(svc.pool, now)) {
    await askAgain(svc, due).catch((err: Error) =>
      svc.logger.warn("a refused refund could not be asked again yet; the sweeper retries", {
        refundNo: due.refusedRefundNo,
        error: err.message,
      }),
    );
  }
}

/** Asks a refused refund again as a new refund of the same purpose; answers the new refund's number. */
async function askAgain(svc: OrderService, due: RefundRetry): Promise<string> {
  const { refundNo } = await svc.broker.call<RefundResult, RefundParams>("payment.refund", {
    parentOrderNo: due.parentOrderNo,
    orderNo: due.orderNo,
    amountMinor: due.amountMinor,
    reason: due.reason,
    idempotencyKey: `refused:${due.refusedRefundNo}`,
    retry: true,
  });
  await markRetried(svc.pool, due.refusedRefundNo, refundNo);
  return refundNo;
}

/**
 * `POST /admin/refunds/{refundNo}/retry` (operator): asks a refused refund again now, also once the automatic
 * retries are used up: an order-level one here, a duplicate payment's at the payment service. 404 for a
 * refund that is neither (an after-sales request's has its own retry), 409 when it was already asked again
 * (`retriedAs` names the refund that did).
 */
export async function retryRefusedRefund(svc: OrderService, caller: Caller, refundNo: string) {
  if (caller.role !== "admin") throw new OmsError("FORBIDDEN", "Only an operator asks a refund again", {});
  const refused = await dueNow(svc.pool, refundNo, new Date());
  if (!refused) return svc.broker.call("payment.retryDuplicateRefund", { refundNo });
  if (refused.retriedAs) {
    throw new OmsError("INVALID_TRANSITION", "This refund was already asked again", {
      refundNo,
      retriedAs: refused.retriedAs,
      state: "RETRIED",
      event: "retry",
    });
  }
  return { refundNo, retriedAs: await askAgain(svc, refused) };
}
