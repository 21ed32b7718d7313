import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import { config } from "../../shared/config/config";
import type { OrderNumberGenerator } from "../../shared/order-number/counter-blocks";
import type { Timers } from "../../shared/timers/timers";
import type { PlaceOrderDeps } from "./saga/place-order.saga";
import { readOrderTimers } from "./store/order-type.repo";

export const PAYMENT_TIMEOUT = "payment-timeout";

/** Wires the checkout saga to the other services over the broker, the database, numbers and timers. */
export function placeOrderDeps(
  broker: ServiceBroker,
  pool: Pool,
  numbers: OrderNumberGenerator,
  timers: Timers,
  committed: () => void,
): PlaceOrderDeps {
  const call =
    <T>(action: string) =>
    (params: object) =>
      broker.call<T, object>(action, params);
  return {
    pool,
    getSkus: (skuIds) => broker.call("inventory.getSkus", { skuIds }),
    price: call("promotion.price"),
    reserve: call("inventory.reserve"),
    release: call("inventory.release"),
    lock: call("promotion.lock"),
    unlock: call("promotion.unlock"),
    nextNumber: (request) => numbers.next(request),
    readTimers: (orderType) => readOrderTimers(pool, orderType),
    schedulePaymentTimeout: async (parentOrderNo, deadline) => {
      await timers.schedule(PAYMENT_TIMEOUT, parentOrderNo, deadline, { parentOrderNo });
    },
    committed,
  };
}

/** How long a RUNNING checkout saga may take before the sweeper treats its process as dead. */
export const STALE_SAGA_MS = Math.max(60_000, config.requestTimeoutMs * 6);
