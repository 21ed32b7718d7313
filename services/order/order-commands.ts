import type { Caller } from "../../shared/contracts/caller";
import type { ShopPrice } from "../../shared/contracts/promotion.contract";
import { OmsError } from "../../shared/errors";
import type { SourceChannel } from "../../shared/order-number/order-number";
import { SagaFailed } from "../../shared/saga/saga";
import { closeOrders } from "./commands/close-orders";
import { adjustPrice as adjustOrderPrice, changeAddress as changeOrderAddress } from "./commands/edit-order";
import type { CheckoutCommand } from "./domain/checkout";
import type { Address, ChildOrder, Invoice, ParentOrder } from "./domain/order";
import { assertCanAdjustPrice, assertCanCancel, assertCanChangeAddress } from "./domain/order-access";
import { mergeOrderTimers, type OrderTypeConfigInput } from "./domain/order-config";
import { presentLine, presentOrder } from "./domain/order-presenter";
import type { OrderService } from "./order.service";
import { announceCheckoutSettled, ORDER_TYPE_CHANGED, PAYMENT_TIMEOUT, STALE_SAGA_MS } from "./order-deps";
import { detail } from "./order-queries";
import { placeOrder, quoteOrder } from "./saga/place-order.saga";
import { findOrder } from "./store/order.repo";
import { readOrderTimers, writeOrderTimers } from "./store/order-type.repo";
import { markCompensated, staleSagas } from "./store/saga.repo";

interface CheckoutBody {
  lines: { skuId: string; quantity: number }[];
  address: Address;
  couponIds?: string[];
  coins?: number;
  sourceChannel: SourceChannel;
  orderType?: "STANDARD";
  invoice?: Invoice;
  buyerNote?: string;
}

function requireBuyer(caller: Caller): void {
  if (caller.role !== "buyer")
    throw new OmsError("FORBIDDEN", "Only buyers check out", { role: caller.role });
}

function checkoutCommand(caller: Caller, body: CheckoutBody, requestId: string | null): CheckoutCommand {
  return {
    buyerId: caller.userId,
    lines: body.lines,
    address: body.address,
    couponIds: body.couponIds ?? [],
    coins: body.coins ?? 0,
    sourceChannel: body.sourceChannel,
    orderType: body.orderType ?? "STANDARD",
    invoice: body.invoice ?? null,
    buyerNote: body.buyerNote ?? null,
    now: new Date(),
    requestId,
  };
}

/** The checkout answer of API.md: the parent (payment unit) and its child orders. */
function presentCheckout(parent: ParentOrder, children: ChildOrder[]) {
  return {
    parentOrderNo: parent.parentOrderNo,
    payableMinor: children.reduce((sum, c) => sum + c.amounts.payableMinor, 0),
    currency: "CNY",
    paymentDeadline: parent.paymentDeadline.toISOString(),
    orders: children.map((c) => ({
      orderNo: c.orderNo,
      shopId: c.shopId,
      status: c.status,
      lines: c.lines.map(presentLine),
      amounts: c.amounts,
    })),
  };
}

/** Places an order through the saga. */
export async function create(svc: OrderService, caller: Caller, body: object, requestId: string | null) {
  requireBuyer(caller);
  const cmd = checkoutCommand(caller, body as CheckoutBody, requestId);
  const { parent, children } = await placeOrder(svc.deps, cmd).catch((err: unknown) => {
    if (!(err instanceof SagaFailed)) throw err;
    // Its saga stays RUNNING, so the sweeper finishes the undo; the buyer hears why the checkout failed.
    svc.logger.warn("Checkout failed and an undo failed too; the sweeper will retry it", {
      buyerId: cmd.buyerId,
      step: err.step,
      undo: err.compensationErrors.map((e) => ({ step: e.step, error: String(e.error) })),
    });
    throw err.cause;
  });
  return presentCheckout(parent, children);
}

/** Prices a checkout without holding anything. */
export async function quote(svc: OrderService, caller: Caller, body: object) {
  requireBuyer(caller);
  return quoteOrder(svc.deps, checkoutCommand(caller, body as CheckoutBody, null));
}

/**
 * Cancels before payment. A buyer or an operator cancels the whole checkout
 * (its children share one payment and the platform's discounts); a merchant
 * cancels only its shop's child order.
 */
export async function cancel(
  svc: OrderService,
  caller: Caller,
  p: { orderNo: string; reason?: string },
  requestId: string | null,
) {
  const order = await findOrder(svc.pool, p.orderNo);
  if (!order) throw new OmsError("NOT_FOUND", "Order not found", { orderNo: p.orderNo });
  assertCanCancel(caller, order);
  const byMerchant = caller.role === "merchant";
  await closeOrders(svc.pool, {
    parentOrderNo: order.parentOrderNo,
    orderNos: byMerchant ? [order.orderNo] : undefined,
    event: "cancel",
    reason: p.reason
      ? `${caller.role.toUpperCase()}_CANCELLED: ${p.reason}`
      : `${caller.role.toUpperCase()}_CANCELLED`,
    actor: caller.userId,
    role: caller.role,
    requestId,
    now: new Date(),
    authorize: (o) => assertCanCancel(caller, o),
  });
  announceCheckoutSettled(svc, order.parentOrderNo);
  svc.relay.kick();
  if (!byMerchant) await svc.timers.cancel(PAYMENT_TIMEOUT, order.parentOrderNo);
  return detail(svc, caller, p.orderNo);
}

/** The payment timeout fired: close what is still unpaid (a paid order is left alone). */
export async function expirePayment(svc: OrderService, parentOrderNo: string, now = new Date()) {
  try {
    const closed = await closeOrders(svc.pool, {
      parentOrderNo,
      event: "payment.timeout",
      reason: "PAYMENT_TIMEOUT",
      actor: "system",
      role: "system",
      requestId: null,
      now,
    });
    if (closed.length > 0) {
      announceCheckoutSettled(svc, parentOrderNo);
      svc.relay.kick();
    }
  } catch (err) {
    if ((err as OmsError).type !== "NOT_FOUND") throw err;
  }
}

/** Catches what lost timers missed: overdue unpaid orders, and checkouts whose process died midway. */
export async function sweep(svc: OrderService, now: Date) {
  const { rows } = await svc.pool.query<{ parent_order_no: string }>(
    `SELECT DISTINCT parent_order_no FROM orders
     WHERE status = 'PENDING_PAYMENT' AND payment_deadline < $1 LIMIT 500`,
    [now],
  );
  for (const r of rows) await expirePayment(svc, r.parent_order_no, now);
  for (const saga of await staleSagas(svc.pool, new Date(now.getTime() - STALE_SAGA_MS))) {
    for (const reservationId of saga.childOrderNos) {
      await svc.deps.release({ reservationId, reason: "CHECKOUT_ABANDONED" });
    }
    await svc.deps.unlock({ lockId: saga.parentOrderNo, reason: "CHECKOUT_ABANDONED" });
    await markCompensated(svc.pool, saga.parentOrderNo, "abandoned midway, undone by the sweeper");
  }
}

/** Changes the receiver before shipment. */
export async function changeAddress(
  svc: OrderService,
  caller: Caller,
  p: Address & { orderNo: string },
  requestId: string | null,
) {
  const { orderNo, ...address } = p;
  await ensureVisible(svc, caller, orderNo);
  const order = await changeOrderAddress(svc.pool, orderNo, address, {
    actor: caller.userId,
    role: caller.role,
    requestId,
    now: new Date(),
    authorize: (o) => assertCanChangeAddress(caller, o),
  });
  svc.relay.kick();
  return presentOrder(order, caller.role);
}

/** A merchant's price change before payment; discounts are re-allocated by the promotion service. */
export async function adjustPrice(svc: OrderService, caller: Caller, p: object, requestId: string | null) {
  const params = p as {
    orderNo: string;
    lines: { lineId: string; unitPriceMinor: number }[];
    shippingFeeMinor?: number;
  };
  await ensureVisible(svc, caller, params.orderNo);
  const order = await adjustOrderPrice(
    svc.pool,
    params.orderNo,
    (current) =>
      svc.broker.call<ShopPrice, object>("promotion.reprice", {
        shopPrice: {
          shopId: current.shopId,
          lines: current.lines,
          amounts: current.amounts,
          paymentTimeoutMs: null,
          autoConfirmMs: null,
        },
        adjustments: params.lines,
        shippingFeeMinor: params.shippingFeeMinor,
      }),
    {
      actor: caller.userId,
      role: caller.role,
      requestId,
      now: new Date(),
      authorize: (o) => assertCanAdjustPrice(caller, o),
    },
  );
  svc.relay.kick();
  return presentOrder(order, caller.role);
}

/** Stores an order type's timers; they apply to orders created afterwards. */
export async function configureOrderType(svc: OrderService, p: OrderTypeConfigInput & { orderType: string }) {
  const timers = mergeOrderTimers(await readOrderTimers(svc.pool, p.orderType), p);
  await writeOrderTimers(svc.pool, p.orderType, timers);
  svc.timersCache.forget(p.orderType);
  svc.broker.broadcast(ORDER_TYPE_CHANGED, { orderType: p.orderType });
  return { orderType: p.orderType, ...timers };
}

async function ensureVisible(svc: OrderService, caller: Caller, orderNo: string): Promise<void> {
  await detail(svc, caller, orderNo);
}
