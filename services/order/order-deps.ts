import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import { Coalescer, inBatches } from "../../shared/batching/coalescer";
import { config } from "../../shared/config/config";
import type { OrderNumberGenerator } from "../../shared/order-number/counter-blocks";
import type { Timers } from "../../shared/timers/timers";
import type { OrderService } from "./order.service";
import type { OrderTimersCache } from "./order-type-cache";
import type { PlaceOrderDeps } from "./saga/place-order.saga";
import { type CheckoutWrite, insertCheckouts } from "./store/order.repo";
import { type OpenSaga, openSagas } from "./store/saga.repo";

export const PAYMENT_TIMEOUT = "payment-timeout";
/** Broadcast (not durable: a cache hint) when an order type's timers change. */
export const ORDER_TYPE_CHANGED = "order.typeConfigChanged";
/** Broadcast (not durable: a wake-up hint for long polls) when a checkout's children left PENDING_PAYMENT. */
export const CHECKOUT_SETTLED = "order.checkout-settled";

/**
 * After the commit that paid or closed a checkout's children: wakes the long
 * polls on it, on this pod at once and on the others by broadcast. A lost
 * broadcast only makes a long poll run to its end.
 */
export function announceCheckoutSettled(svc: OrderService, parentOrderNo: string): void {
  svc.checkoutWaiters.notify(parentOrderNo);
  svc.broker.broadcast(CHECKOUT_SETTLED, { parentOrderNo }).catch((err: Error) => {
    svc.logger.warn("checkout-settled broadcast failed", { parentOrderNo, error: err.message });
  });
}

/** Wires the checkout saga to the other services over the broker, the database, numbers and timers. */
export function placeOrderDeps(
  broker: ServiceBroker,
  pool: Pool,
  numbers: OrderNumberGenerator,
  timers: Timers,
  timersCache: OrderTimersCache,
  committed: () => void,
): PlaceOrderDeps {
  const call =
    <T>(action: string) =>
    (params: object) =>
      broker.call<T, object>(action, params);
  // Concurrent checkouts record their sagas, then write their orders, in one statement and one commit each.
  const sagas = new Coalescer(inBatches<OpenSaga>((batch) => openSagas(pool, batch)));
  const checkouts = new Coalescer(inBatches<CheckoutWrite>((batch) => insertCheckouts(pool, batch)));
  return {
    pool,
    openSaga: (saga) => sagas.submit(saga),
    writeCheckout: (write) => checkouts.submit(write),
    getSkus: (skuIds) => broker.call("inventory.getSkus", { skuIds }),
    price: call("promotion.price"),
    reserve: call("inventory.reserve"),
    release: call("inventory.release"),
    lock: call("promotion.lock"),
    unlock: call("promotion.unlock"),
    nextNumber: (request) => numbers.next(request),
    readTimers: (orderType) => timersCache.get(orderType),
    // A new parent order number was never scheduled: arm without a state check.
    schedulePaymentTimeout: (parentOrderNo, deadline) =>
      timers.arm(PAYMENT_TIMEOUT, parentOrderNo, deadline, { parentOrderNo }),
    committed,
  };
}

/** How long a RUNNING checkout saga may take before the sweeper treats its process as dead. */
export const STALE_SAGA_MS = Math.max(60_000, config.requestTimeoutMs * 6);
