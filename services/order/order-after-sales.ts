import type { PoolClient } from "pg";
import type { Caller } from "../../shared/contracts/caller";
import type { RefundResult } from "../../shared/contracts/payment.contract";
import type {
  CreateReplacementResult,
  InterceptParams,
  PackageShippedPayload,
  ReceiveReturnParams,
} from "../../shared/contracts/warehouse.contract";
import { withTransaction } from "../../shared/db/pool";
import { OmsError } from "../../shared/errors";
import { apply } from "../../shared/state-machine/engine";
import { findAppeal, present, presentAfterSales, visible } from "./after-sales-queries";
import {
  type AfterSalesContext,
  appealRequest,
  createRequest,
  type Locked,
  lockRequest,
  refundRefused,
  refundSucceeded,
  step,
} from "./commands/after-sales";
import {
  type AfterSalesRequest,
  APPEAL_WINDOW_MS,
  afterSalesFacts,
  assertMayReview,
  refundKey,
} from "./domain/after-sales";
import { canSee } from "./domain/order-access";
import { DEFAULT_ORDER_TIMERS } from "./domain/order-config";
import {
  AFTER_SALES_GUARDS,
  AFTER_SALES_TABLE,
  type AfterSalesEvent,
  type AfterSalesType,
} from "./domain/order-states";
import type { OrderService } from "./order.service";
import {
  findAfterSales,
  findByReplacementPackage,
  findDueAfterSales,
  findUnrequestedRefunds,
} from "./store/after-sales.repo";
import { findOrder } from "./store/order.repo";

/** Timer kinds of an after-sales request's deadlines; the key is the after-sales number. */
export const AFTER_SALES_TIMERS = {
  PENDING_REVIEW: "aftersales-review",
  REJECTED: "aftersales-appeal",
  AWAITING_BUYER_RETURN: "aftersales-return",
  AWAITING_RETURN_RECEIPT: "aftersales-receive",
} as const;
type TimedState = keyof typeof AFTER_SALES_TIMERS;

/** The refund reason that ties a payment refund back to its request. */
const REFUND_REASON = "AFTER_SALES:";
export const afterSalesNoOfRefund = (reason: string) =>
  reason.startsWith(REFUND_REASON) ? reason.slice(REFUND_REASON.length) : null;

/** A request waiting this long for its refund or replacement to be asked for is retried by the sweeper. */
const RETRY_AFTER_MS = 30_000;

const who = (caller: Caller, requestId: string | null): AfterSalesContext => ({
  now: new Date(),
  actor: caller.userId,
  role: caller.role,
  requestId,
  eventId: null,
});
const system = (now = new Date(), eventId: string | null = null): AfterSalesContext => ({
  now,
  actor: "system",
  role: "system",
  requestId: null,
  eventId,
});

function assertBuyer(caller: Caller, r: Pick<AfterSalesRequest, "afterSalesNo" | "buyerId" | "shopId">) {
  if (!canSee(caller, r)) throw new OmsError("NOT_FOUND", "After-sales request not found", r);
  if (caller.role !== "buyer")
    throw new OmsError("FORBIDDEN", "Only the buyer does this", { afterSalesNo: r.afterSalesNo });
}

function assertShop(caller: Caller, r: Pick<AfterSalesRequest, "afterSalesNo" | "buyerId" | "shopId">) {
  if (!canSee(caller, r)) throw new OmsError("NOT_FOUND", "After-sales request not found", r);
  if (caller.role === "buyer")
    throw new OmsError("FORBIDDEN", "Only the shop or an operator does this", {
      afterSalesNo: r.afterSalesNo,
    });
}

/**
 * Refuses an event the request's current state does not take, before any other service is asked anything;
 * answers the request's appeal, which the check needed.
 */
async function assertAllowed(svc: OrderService, r: AfterSalesRequest, event: AfterSalesEvent) {
  const now = new Date();
  const appeal = await findAppeal(svc.pool, r.afterSalesNo);
  apply(AFTER_SALES_TABLE, r.status, event, {
    ...system(now),
    facts: afterSalesFacts(r, appeal, now),
    guards: AFTER_SALES_GUARDS,
  });
  return appeal;
}

/** Arms the timer of the state the request is in now (review, appeal, buyer return, receipt), if it has one. */
async function armDeadline(svc: OrderService, r: AfterSalesRequest) {
  const kind = AFTER_SALES_TIMERS[r.status as TimedState];
  if (kind && r.dueAt)
    await svc.timers.schedule(kind, r.afterSalesNo, r.dueAt, { afterSalesNo: r.afterSalesNo });
}

/** After a step committed: events out, the old state's timer off, the new one's on, the next call made. */
async function afterStep(svc: OrderService, before: AfterSalesRequest["status"], r: AfterSalesRequest) {
  svc.relay.kick();
  const oldKind = AFTER_SALES_TIMERS[before as TimedState];
  if (oldKind && before !== r.status) await svc.timers.cancel(oldKind, r.afterSalesNo);
  await armDeadline(svc, r);
  if (r.status === "PENDING_REFUND") await requestRefund(svc, r);
  if (r.status === "AWAITING_EXCHANGE_SHIPMENT") await requestReplacement(svc, r);
}

/** Runs one step in a transaction and its follow-ups after commit. */
async function run(
  svc: OrderService,
  afterSalesNo: string,
  work: (tx: PoolClient, locked: Locked) => Promise<void>,
): Promise<AfterSalesRequest> {
  let before: AfterSalesRequest["status"] = "PENDING_REVIEW";
  const request = await withTransaction(svc.pool, async (tx) => {
    const locked = await lockRequest(tx, afterSalesNo);
    before = locked.request.status;
    await work(tx, locked);
    return locked.request;
  });
  await afterStep(svc, before, request);
  return request;
}

/** POST /orders/{orderNo}/after-sales (buyer). */
export async function create(
  svc: OrderService,
  caller: Caller,
  p: { orderNo: string; type: AfterSalesType; lines: { lineId: string; quantity: number }[]; reason: string },
  requestId: string | null,
) {
  const order = await findOrder(svc.pool, p.orderNo);
  if (!order || !canSee(caller, order))
    throw new OmsError("NOT_FOUND", "Order not found", { orderNo: p.orderNo });
  if (caller.role !== "buyer") throw new OmsError("FORBIDDEN", "Only the buyer asks for after-sales", {});
  const afterSalesNo = await svc.numbers.next({
    channel: order.sourceChannel,
    userId: order.buyerId,
    type: "AFTER_SALES",
  });
  const request = await withTransaction(svc.pool, (tx) =>
    createRequest(tx, { ...p, afterSalesNo }, who(caller, requestId), (o) => {
      if (!canSee(caller, o)) throw new OmsError("NOT_FOUND", "Order not found", { orderNo: o.orderNo });
    }),
  );
  svc.relay.kick();
  await armDeadline(svc, request);
  return presentAfterSales(request, { role: caller.role });
}

/** The request a shop or an operator acts on, or its timer (`caller` null); 404 when there is none. */
async function requestOfShop(svc: OrderService, caller: Caller | null, afterSalesNo: string) {
  const r = await findAfterSales(svc.pool, afterSalesNo);
  if (!r) throw new OmsError("NOT_FOUND", "After-sales request not found", { afterSalesNo });
  if (caller) assertShop(caller, r);
  return r;
}

/**
 * Approval by the shop, an operator, or the review timer. A refund of units not yet handed over first asks
 * the warehouse to intercept them; units already with the carrier are refunded anyway (the shop agreed).
 */
export async function approve(
  svc: OrderService,
  caller: Caller | null,
  afterSalesNo: string,
  requestId: string | null,
) {
  const peek = await requestOfShop(svc, caller, afterSalesNo);
  const event: AfterSalesEvent = caller ? "approve" : "review.timeout";
  const appeal = await assertAllowed(svc, peek, event);
  if (caller) assertMayReview(caller.role, peek, appeal);
  const intercepted = peek.type === "REFUND_ONLY" && peek.intercept ? await intercept(svc, peek) : null;
  const ctx = caller ? who(caller, requestId) : system();
  const request = await run(svc, afterSalesNo, async (tx, locked) => {
    await step(
      tx,
      locked,
      event,
      ctx,
      intercepted === false ? "units already handed over: refund only" : null,
      (r) => {
        r.intercepted = intercepted;
        if (r.status === "AWAITING_BUYER_RETURN") {
          r.dueAt = new Date(ctx.now.getTime() + locked.order.timers.buyerReturnTimeoutMs);
        }
      },
    );
  });
  return caller ? present(svc, caller, request) : null;
}

async function intercept(svc: OrderService, r: AfterSalesRequest): Promise<boolean> {
  const params: InterceptParams = {
    orderNo: r.orderNo,
    interceptId: r.afterSalesNo,
    lines: r.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
    reason: `after-sales ${r.afterSalesNo}`,
  };
  try {
    await svc.broker.call("warehouse.intercept", params);
    return true;
  } catch (err) {
    const type = (err as OmsError).type;
    if (type === "PACKAGE_ALREADY_SHIPPED") return false;
    if (type === "NOT_FOUND") {
      throw new OmsError(
        "CONFLICT",
        "The warehouse has not received this paid order yet; try again shortly",
        {
          orderNo: r.orderNo,
        },
      );
    }
    throw err;
  }
}

/**
 * POST /after-sales/{no}/reject {reason} (shop or operator). The shop's rejection opens the buyer's appeal window;
 * the operator's rejection of an appeal is final: CLOSED, APPEAL_REJECTED.
 */
export async function reject(
  svc: OrderService,
  caller: Caller,
  p: { afterSalesNo: string; reason: string },
  requestId: string | null,
) {
  assertShop(caller, await visible(svc, caller, p.afterSalesNo));
  const ctx = who(caller, requestId);
  const request = await run(svc, p.afterSalesNo, async (tx, locked) => {
    await step(tx, locked, "reject", ctx, p.reason, (r) => {
      r.rejectReason = p.reason;
      if (r.status === "REJECTED") r.dueAt = new Date(ctx.now.getTime() + APPEAL_WINDOW_MS);
      if (r.status === "CLOSED") r.closeReason = "APPEAL_REJECTED";
    });
  });
  return present(svc, caller, request);
}

/** POST /after-sales/{no}/appeal {reason} (buyer): a rejected request goes to the platform, once, within its window. */
export async function appeal(
  svc: OrderService,
  caller: Caller,
  p: { afterSalesNo: string; reason: string },
  requestId: string | null,
) {
  assertBuyer(caller, await visible(svc, caller, p.afterSalesNo));
  const request = await run(svc, p.afterSalesNo, async (tx, locked) => {
    await appealRequest(tx, locked, who(caller, requestId), p.reason);
  });
  return present(svc, caller, request);
}

/** POST /after-sales/{no}/withdraw (buyer), while nothing was refunded. */
export async function withdraw(
  svc: OrderService,
  caller: Caller,
  afterSalesNo: string,
  requestId: string | null,
) {
  assertBuyer(caller, await visible(svc, caller, afterSalesNo));
  const request = await run(svc, afterSalesNo, async (tx, locked) => {
    await step(tx, locked, "withdraw", who(caller, requestId), "withdrawn by the buyer", (r) => {
      r.closeReason = "WITHDRAWN";
    });
  });
  return present(svc, caller, request);
}

/** POST /after-sales/{no}/return-shipment {carrier, trackingNo} (buyer): the tracking number is checked by logistics. */
export async function returnShipment(
  svc: OrderService,
  caller: Caller,
  p: { afterSalesNo: string; carrier: string; trackingNo: string },
  requestId: string | null,
) {
  const peek = await visible(svc, caller, p.afterSalesNo);
  assertBuyer(caller, peek);
  await assertAllowed(svc, peek, "buyer.shipped");
  const shipment = await svc.broker.call<{ carrier: string; trackingNo: string }, object>(
    "logistics.registerShipment",
    {
      carrier: p.carrier,
      trackingNo: p.trackingNo,
      packageId: `return-${p.afterSalesNo}`,
      orderNo: peek.orderNo,
      method: "MANUAL",
    },
  );
  const ctx = who(caller, requestId);
  const request = await run(svc, p.afterSalesNo, async (tx, locked) => {
    await step(tx, locked, "buyer.shipped", ctx, `${shipment.carrier} ${shipment.trackingNo}`, (r) => {
      r.returnCarrier = shipment.carrier;
      r.returnTrackingNo = shipment.trackingNo;
      r.returnedAt = ctx.now;
      r.dueAt = new Date(
        ctx.now.getTime() + (locked.order.timers.autoReceiveMs ?? DEFAULT_ORDER_TIMERS.autoReceiveMs),
      );
    });
  });
  return present(svc, caller, request);
}

/**
 * POST /after-sales/{no}/receive (shop or operator): the return arrived; the warehouse puts it back on hand.
 * With `caller` null, the receipt timer fired: nothing reached the warehouse, so nothing is restocked.
 */
export async function receive(
  svc: OrderService,
  caller: Caller | null,
  afterSalesNo: string,
  requestId: string | null,
) {
  const peek = await requestOfShop(svc, caller, afterSalesNo);
  const event: AfterSalesEvent = caller ? "return.received" : "receive.timeout";
  await assertAllowed(svc, peek, event);
  if (caller) {
    const order = await findOrder(svc.pool, peek.orderNo);
    const params: ReceiveReturnParams = {
      returnId: afterSalesNo,
      orderNo: peek.orderNo,
      lines: peek.lines.map((l) => ({
        ...l,
        warehouseId: order?.lines.find((x) => x.lineId === l.lineId)?.warehouseId ?? "",
      })),
    };
    await svc.broker.call("warehouse.receiveReturn", params);
  }
  const ctx = caller ? who(caller, requestId) : system();
  const request = await run(svc, afterSalesNo, async (tx, locked) => {
    await step(tx, locked, event, ctx, caller ? "return received" : "received automatically", (r) => {
      r.receivedAt = ctx.now;
      r.restocked = caller !== null;
    });
  });
  return caller ? present(svc, caller, request) : null;
}

/** The buyer did not ship the return in time: the request closes. */
async function returnTimedOut(svc: OrderService, afterSalesNo: string, now: Date) {
  await run(svc, afterSalesNo, async (tx, locked) => {
    await step(
      tx,
      locked,
      "return.timeout",
      system(now),
      "the buyer did not ship the return in time",
      (r) => {
        r.closeReason = "RETURN_TIMEOUT";
      },
    );
  });
}

/** The buyer did not appeal the rejection in time: the request closes. */
async function appealTimedOut(svc: OrderService, afterSalesNo: string, now: Date) {
  await run(svc, afterSalesNo, async (tx, locked) => {
    await step(tx, locked, "appeal.timeout", system(now), "rejected and not appealed in time", (r) => {
      r.closeReason = "APPEAL_TIMEOUT";
    });
  });
}

/**
 * A request's deadline passed (timer or sweeper): auto-approve, close for no appeal, close for no return, or
 * auto-receive. An appealed request under the platform's review has no deadline.
 */
export async function fireDeadline(svc: OrderService, afterSalesNo: string, now = new Date()) {
  const r = await findAfterSales(svc.pool, afterSalesNo);
  if (!r?.dueAt || r.dueAt > now) return;
  if (r.status === "PENDING_REVIEW") await approve(svc, null, afterSalesNo, null);
  else if (r.status === "REJECTED") await appealTimedOut(svc, afterSalesNo, now);
  else if (r.status === "AWAITING_BUYER_RETURN") await returnTimedOut(svc, afterSalesNo, now);
  else if (r.status === "AWAITING_RETURN_RECEIPT") await receive(svc, null, afterSalesNo, null);
}

/** Asks the payment service for the planned refund (idempotent per request); a zero refund succeeds at once. */
async function requestRefund(svc: OrderService, r: AfterSalesRequest) {
  if (r.refundMinor === 0) {
    await withTransaction(svc.pool, (tx) => refundSucceeded(tx, r.afterSalesNo, "NONE", system()));
    svc.relay.kick();
    return;
  }
  try {
    const refund = await svc.broker.call<RefundResult, object>("payment.refund", {
      parentOrderNo: r.parentOrderNo,
      orderNo: r.orderNo,
      amountMinor: r.refundMinor,
      reason: `${REFUND_REASON}${r.afterSalesNo}`,
      idempotencyKey: refundKey(r),
      retry: r.refundAttempts > 0,
    });
    // Unless its refusal was recorded meanwhile (attempts moved on): then the retry asks again.
    await svc.pool.query(
      `UPDATE after_sales SET refund_no = $2, refund_retry_at = NULL, updated_at = now()
       WHERE after_sales_no = $1 AND refund_no IS NULL AND refund_attempts = $3`,
      [r.afterSalesNo, refund.refundNo, r.refundAttempts],
    );
  } catch (err) {
    svc.logger.warn("after-sales refund not requested yet; the sweeper retries", {
      afterSalesNo: r.afterSalesNo,
      error: (err as Error).message,
    });
  }
}

/** Asks the warehouse for the exchange's replacement packages (idempotent per request). */
async function requestReplacement(svc: OrderService, r: AfterSalesRequest) {
  if (r.replacementPackageIds.length > 0) return;
  const order = await findOrder(svc.pool, r.orderNo);
  if (!order) return;
  try {
    const made = await svc.broker.call<CreateReplacementResult, object>("warehouse.createReplacement", {
      afterSalesNo: r.afterSalesNo,
      orderNo: r.orderNo,
      shopId: r.shopId,
      buyerId: r.buyerId,
      address: order.address,
      lines: r.lines.map((l) => ({ lineId: l.lineId, skuId: l.skuId, quantity: l.quantity })),
    });
    await svc.pool.query(
      "UPDATE after_sales SET replacement_package_ids = $2, updated_at = now() WHERE after_sales_no = $1",
      [r.afterSalesNo, made.packageIds],
    );
  } catch (err) {
    svc.logger.warn("replacement not created yet; the sweeper retries", {
      afterSalesNo: r.afterSalesNo,
      error: (err as Error).message,
    });
  }
}

/**
 * The refund of a request was paid out (inside the refund consumer's transaction); gives coins and coupons
 * back. Answers the request's refund plan, null when the request was not waiting for it.
 */
export async function onAfterSalesRefunded(
  svc: OrderService,
  tx: PoolClient,
  afterSalesNo: string,
  refundNo: string,
  eventId: string,
) {
  const locked = await refundSucceeded(tx, afterSalesNo, refundNo, system(new Date(), eventId));
  const plan = locked?.request.refundPlan ?? null;
  if (locked && plan && (plan.coins > 0 || plan.couponIds.length > 0)) {
    await svc.broker.call("promotion.restore", {
      lockId: locked.request.parentOrderNo,
      partId: afterSalesNo,
      couponIds: plan.couponIds,
      coins: plan.coins,
      reason: `after-sales ${afterSalesNo}`,
    });
  }
  return plan;
}

/** The provider refused a request's refund (inside the refund consumer's transaction): asked again later. */
export async function onAfterSalesRefundRefused(
  tx: PoolClient,
  afterSalesNo: string,
  refundNo: string,
  failure: string,
  eventId: string,
) {
  return refundRefused(tx, afterSalesNo, refundNo, failure, system(new Date(), eventId));
}

/**
 * POST /after-sales/{no}/retry-refund (operator): asks a refused refund again now, under a new idempotency key;
 * 409 while a refund is on its way or none was refused.
 */
export async function retryRefund(
  svc: OrderService,
  caller: Caller,
  afterSalesNo: string,
  requestId: string | null,
) {
  const r = await requestOfShop(svc, caller, afterSalesNo);
  if (caller.role !== "admin") {
    throw new OmsError("FORBIDDEN", "Only an operator asks a refused refund again", { afterSalesNo });
  }
  await assertAllowed(svc, r, "refund.retry");
  const request = await run(svc, afterSalesNo, async (tx, locked) => {
    await step(
      tx,
      locked,
      "refund.retry",
      who(caller, requestId),
      "refund asked again by an operator",
      (x) => {
        x.refundRetryAt = null;
      },
    );
  });
  return present(svc, caller, request);
}

/** A replacement package was handed over: without logistics that is its delivery. */
export async function onReplacementShipped(svc: OrderService, p: PackageShippedPayload) {
  if (!p.afterSalesNo || p.method !== "NO_LOGISTICS") return;
  await replacementDelivered(svc, p.afterSalesNo, `package ${p.packageId} handed over`);
}

/** Tracking of a package reached SIGNED: when it is an exchange's replacement, the exchange succeeded. */
export async function onPackageSigned(svc: OrderService, packageId: string, eventId: string) {
  const afterSalesNo = await findByReplacementPackage(svc.pool, packageId);
  if (afterSalesNo) await replacementDelivered(svc, afterSalesNo, `package ${packageId} signed`, eventId);
}

async function replacementDelivered(
  svc: OrderService,
  afterSalesNo: string,
  reason: string,
  eventId: string | null = null,
) {
  const r = await findAfterSales(svc.pool, afterSalesNo);
  if (r?.status !== "AWAITING_EXCHANGE_SHIPMENT") return;
  await run(svc, afterSalesNo, async (tx, locked) => {
    await step(tx, locked, "replacement.signed", system(new Date(), eventId), reason);
  });
}

/** Overdue deadlines lost timers missed, and refunds or replacements a failed call left unasked. */
export async function sweepAfterSales(svc: OrderService, now: Date) {
  // findDueAfterSales covers review, return and receipt; rejected requests past their appeal window come here.
  const { rows: unappealed } = await svc.pool.query<{ after_sales_no: string }>(
    "SELECT after_sales_no FROM after_sales WHERE status = 'REJECTED' AND due_at <= $1 LIMIT 500",
    [now],
  );
  const due = [...(await findDueAfterSales(svc.pool, now)), ...unappealed.map((r) => r.after_sales_no)];
  for (const no of due) {
    await fireDeadline(svc, no, now).catch((err: Error) =>
      svc.logger.warn("after-sales deadline failed", { afterSalesNo: no, error: err.message }),
    );
  }
  const stale = new Date(now.getTime() - RETRY_AFTER_MS);
  for (const no of await findUnrequestedRefunds(svc.pool, stale, now)) {
    const r = await findAfterSales(svc.pool, no);
    if (r) await requestRefund(svc, r);
  }
  const { rows } = await svc.pool.query<{ after_sales_no: string }>(
    `SELECT after_sales_no FROM after_sales WHERE status = 'AWAITING_EXCHANGE_SHIPMENT'
       AND replacement_package_ids = '{}' AND updated_at <= $1 LIMIT 500`,
    [stale],
  );
  for (const { after_sales_no } of rows) {
    const r = await findAfterSales(svc.pool, after_sales_no);
    if (r) await requestReplacement(svc, r);
  }
}
