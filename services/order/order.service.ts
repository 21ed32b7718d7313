import type Redis from "ioredis";
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { withChannels } from "../../shared/channels";
import { config } from "../../shared/config/config";
import { type Caller, callerOf } from "../../shared/contracts/caller";
import type { LogisticsStatusChangedPayload } from "../../shared/contracts/logistics.contract";
import type {
  PaymentSucceededPayload,
  RefundFailedPayload,
  RefundSucceededPayload,
} from "../../shared/contracts/payment.contract";
import type {
  PackageInterceptedPayload,
  PackageShippedPayload,
} from "../../shared/contracts/warehouse.contract";
import { OrderNumberGenerator } from "../../shared/order-number/counter-blocks";
import { OrderNumberCodec } from "../../shared/order-number/order-number";
import { consumeOnce } from "../../shared/outbox/inbox";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import { createRedis } from "../../shared/redis";
import { type PersistentServiceVars, persistentService } from "../../shared/service/persistent-service.mixin";
import { createTimers, type Timers } from "../../shared/timers/timers";
import * as afterSalesQueries from "./after-sales-queries";
import { CheckoutWaiters } from "./checkout-waiters";
import { type HoldCalls, returnHolds } from "./commands/close-orders";
import type { Address } from "./domain/order";
import type { OrderTypeConfigInput } from "./domain/order-config";
import { AFTER_SALES_STATES } from "./domain/order-states";
import { ORDER_EVENTS, type OrderClosedPayload } from "./order.events";
import {
  ADDRESS_PROPS,
  AFTER_SALES_NO_PARAM,
  CHECKOUT_PARAMS,
  LIST_PARAMS,
  ORDER_NO_PARAM,
  ORDER_TYPE_PARAMS,
  PARENT_ORDER_PARAMS,
  PRICE_ADJUSTMENT_PARAMS,
} from "./order.params";
import * as afterSales from "./order-after-sales";
import * as commands from "./order-commands";
import { CHECKOUT_SETTLED, ORDER_TYPE_CHANGED, PAYMENT_TIMEOUT, placeOrderDeps } from "./order-deps";
import * as fulfilment from "./order-fulfilment";
import * as payments from "./order-payments";
import * as queries from "./order-queries";
import { OrderTimersCache } from "./order-type-cache";
import type { PlaceOrderDeps } from "./saga/place-order.saga";
import { orderSettlement } from "./settlement/order-settlement.mixin";
import {
  DAILY_RECONCILIATION_EVERY_MS,
  paymentLedger,
  runDailyReconciliation,
} from "./settlement/settlement-queries";
import { orderStats, withStatsChannels } from "./stats/order-stats.mixin";
import { readOrderTimers } from "./store/order-type.repo";

export interface OrderVars extends PersistentServiceVars {
  redis: Redis;
  numbers: OrderNumberGenerator;
  timers: Timers;
  deps: PlaceOrderDeps;
  timersCache: OrderTimersCache;
  checkoutWaiters: CheckoutWaiters;
}

type Ctx<P = Record<string, unknown>> = Context<P, { user?: Caller; requestID?: string }>;

/** Orders: checkout saga, queries, cancel and edits before payment, payment timeout. Logic lives in the modules it calls. */
const orderService: ServiceSchema<ServiceSettingSchema, Record<string, never>, OrderVars> = withChannels({
  name: "order",
  mixins: [
    persistentService("order"),
    orderStats as Partial<ServiceSchema>,
    orderSettlement as Partial<ServiceSchema>,
  ],

  actions: {
    /** POST /orders: places a checkout (parent + one child per shop). */
    create: {
      params: CHECKOUT_PARAMS,
      handler(ctx: Ctx) {
        return commands.create(this, callerOf(ctx.meta), ctx.params, ctx.requestID ?? null);
      },
    },
    /** POST /checkout/quote: the price breakdown of the same body, no side effects. */
    quote: {
      params: CHECKOUT_PARAMS,
      handler(ctx: Ctx) {
        return commands.quote(this, callerOf(ctx.meta), ctx.params);
      },
    },
    /** GET /orders/{orderNo}: the order with its payment section. */
    get: {
      params: ORDER_NO_PARAM,
      handler(ctx: Ctx<{ orderNo: string }>) {
        return queries.fullDetail(this, callerOf(ctx.meta), ctx.params.orderNo);
      },
    },
    /** RPC for the payment service: ownership, still payable, stock checked again, the amount. */
    preparePayment: {
      params: { parentOrderNo: { type: "string", pattern: /^\d{16,20}$/ } },
      handler(ctx: Ctx<{ parentOrderNo: string }>) {
        return payments.preparePayment(this, callerOf(ctx.meta), ctx.params.parentOrderNo);
      },
    },
    /** GET /orders/{orderNo}/timeline. */
    timeline: {
      params: ORDER_NO_PARAM,
      handler(ctx: Ctx<{ orderNo: string }>) {
        return queries.timeline(this, callerOf(ctx.meta), ctx.params.orderNo);
      },
    },
    /** GET /orders: role-aware list. */
    list: {
      params: LIST_PARAMS,
      handler(ctx: Ctx) {
        return queries.list(this, callerOf(ctx.meta), ctx.params);
      },
    },
    /** GET /parent-orders/{parentOrderNo}?waitMs=: with waitMs, a long poll while the checkout awaits payment. */
    getParent: {
      params: PARENT_ORDER_PARAMS,
      handler(ctx: Ctx<{ parentOrderNo: string; waitMs?: number }>) {
        const { parentOrderNo, waitMs } = ctx.params;
        if (!waitMs) return queries.parent(this, callerOf(ctx.meta), parentOrderNo);
        return queries.awaitParent(this, callerOf(ctx.meta), parentOrderNo, waitMs, ctx.options.timeout);
      },
    },
    /** POST /orders/{orderNo}/cancel before payment. */
    cancel: {
      params: { ...ORDER_NO_PARAM, reason: { type: "string", max: 200, optional: true } },
      handler(ctx: Ctx<{ orderNo: string; reason?: string }>) {
        return commands.cancel(this, callerOf(ctx.meta), ctx.params, ctx.requestID ?? null);
      },
    },
    /** PATCH /orders/{orderNo}/address. */
    changeAddress: {
      params: { ...ORDER_NO_PARAM, ...ADDRESS_PROPS, $$strict: "remove" },
      handler(ctx: Ctx<Address & { orderNo: string }>) {
        return commands.changeAddress(this, callerOf(ctx.meta), ctx.params, ctx.requestID ?? null);
      },
    },
    /** POST /orders/{orderNo}/price-adjustments (merchant, before payment). */
    adjustPrice: {
      params: PRICE_ADJUSTMENT_PARAMS,
      handler(ctx: Ctx) {
        return commands.adjustPrice(this, callerOf(ctx.meta), ctx.params, ctx.requestID ?? null);
      },
    },
    /** POST /orders/{orderNo}/confirm-receipt (buyer, SHIPPED). */
    confirmReceipt: {
      params: ORDER_NO_PARAM,
      handler(ctx: Ctx<{ orderNo: string }>) {
        return fulfilment.confirmReceipt(this, callerOf(ctx.meta), ctx.params.orderNo, ctx.requestID ?? null);
      },
    },
    /** POST /orders/{orderNo}/review (buyer, COMPLETED or FINISHED, once). */
    review: {
      params: {
        ...ORDER_NO_PARAM,
        rating: { type: "number", integer: true, min: 1, max: 5 },
        comment: { type: "string", max: 2000, optional: true },
        $$strict: "remove",
      },
      handler(ctx: Ctx<{ orderNo: string; rating: number; comment?: string }>) {
        return fulfilment.review(this, callerOf(ctx.meta), ctx.params, ctx.requestID ?? null);
      },
    },
    /** GET /orders/{orderNo}/packages. */
    packages: {
      params: ORDER_NO_PARAM,
      handler(ctx: Ctx<{ orderNo: string }>) {
        return fulfilment.packages(this, callerOf(ctx.meta), ctx.params.orderNo);
      },
    },
    /** POST /orders/{orderNo}/after-sales (buyer). */
    createAfterSales: {
      params: {
        ...ORDER_NO_PARAM,
        type: { type: "enum", values: ["REFUND_ONLY", "RETURN_REFUND", "EXCHANGE"] },
        lines: {
          type: "array",
          min: 1,
          max: 100,
          items: {
            type: "object",
            strict: "remove",
            props: {
              lineId: { type: "string", max: 64 },
              quantity: { type: "number", integer: true, positive: true },
            },
          },
        },
        reason: { type: "string", min: 1, max: 500 },
        $$strict: "remove",
      },
      handler(ctx: Ctx) {
        return afterSales.create(this, callerOf(ctx.meta), ctx.params as never, ctx.requestID ?? null);
      },
    },
    /** GET /after-sales?status=: role-aware list. */
    listAfterSales: {
      params: {
        status: { type: "enum", values: [...AFTER_SALES_STATES], optional: true },
        limit: { type: "number", integer: true, min: 1, max: 100, optional: true, convert: true },
        cursor: { type: "string", max: 200, optional: true },
      },
      handler(ctx: Ctx<{ status?: string; limit?: number; cursor?: string }>) {
        return afterSalesQueries.list(this, callerOf(ctx.meta), ctx.params);
      },
    },
    /** GET /after-sales/{afterSalesNo}. */
    getAfterSales: {
      params: AFTER_SALES_NO_PARAM,
      handler(ctx: Ctx<{ afterSalesNo: string }>) {
        return afterSalesQueries.get(this, callerOf(ctx.meta), ctx.params.afterSalesNo);
      },
    },
    /** POST /after-sales/{afterSalesNo}/approve (shop or operator). */
    approveAfterSales: {
      params: AFTER_SALES_NO_PARAM,
      handler(ctx: Ctx<{ afterSalesNo: string }>) {
        return afterSales.approve(this, callerOf(ctx.meta), ctx.params.afterSalesNo, ctx.requestID ?? null);
      },
    },
    /** POST /after-sales/{afterSalesNo}/reject {reason} (shop or operator). */
    rejectAfterSales: {
      params: { ...AFTER_SALES_NO_PARAM, reason: { type: "string", min: 1, max: 500 } },
      handler(ctx: Ctx<{ afterSalesNo: string; reason: string }>) {
        return afterSales.reject(this, callerOf(ctx.meta), ctx.params, ctx.requestID ?? null);
      },
    },
    /** POST /after-sales/{afterSalesNo}/appeal {reason} (buyer): a rejected request goes to the platform. */
    appealAfterSales: {
      params: { ...AFTER_SALES_NO_PARAM, reason: { type: "string", min: 1, max: 500, trim: true } },
      handler(ctx: Ctx<{ afterSalesNo: string; reason: string }>) {
        return afterSales.appeal(this, callerOf(ctx.meta), ctx.params, ctx.requestID ?? null);
      },
    },
    /** POST /after-sales/{afterSalesNo}/return-shipment {carrier, trackingNo} (buyer). */
    returnShipment: {
      params: {
        ...AFTER_SALES_NO_PARAM,
        carrier: { type: "string", min: 1, max: 20 },
        trackingNo: { type: "string", min: 1, max: 40 },
      },
      handler(ctx: Ctx<{ afterSalesNo: string; carrier: string; trackingNo: string }>) {
        return afterSales.returnShipment(this, callerOf(ctx.meta), ctx.params, ctx.requestID ?? null);
      },
    },
    /** POST /after-sales/{afterSalesNo}/receive (shop or operator). */
    receiveReturn: {
      params: AFTER_SALES_NO_PARAM,
      handler(ctx: Ctx<{ afterSalesNo: string }>) {
        return afterSales.receive(this, callerOf(ctx.meta), ctx.params.afterSalesNo, ctx.requestID ?? null);
      },
    },
    /** POST /after-sales/{afterSalesNo}/withdraw (buyer). */
    withdrawAfterSales: {
      params: AFTER_SALES_NO_PARAM,
      handler(ctx: Ctx<{ afterSalesNo: string }>) {
        return afterSales.withdraw(this, callerOf(ctx.meta), ctx.params.afterSalesNo, ctx.requestID ?? null);
      },
    },
    /** POST /admin/refunds/{refundNo}/retry (operator): a refused order-level refund asked again now. */
    retryRefusedRefund: {
      params: { refundNo: { type: "string", pattern: /^\d{16,20}$/ } },
      handler(ctx: Ctx<{ refundNo: string }>) {
        return payments.retryRefusedRefund(this, callerOf(ctx.meta), ctx.params.refundNo);
      },
    },
    /** POST /after-sales/{no}/retry-refund (operator): a refused refund asked again now. */
    retryAfterSalesRefund: {
      params: AFTER_SALES_NO_PARAM,
      handler(ctx: Ctx<{ afterSalesNo: string }>) {
        return afterSales.retryRefund(
          this,
          callerOf(ctx.meta),
          ctx.params.afterSalesNo,
          ctx.requestID ?? null,
        );
      },
    },
    /** PUT /admin/order-types/{orderType}: timers for orders created afterwards. */
    configureOrderType: {
      params: ORDER_TYPE_PARAMS,
      handler(ctx: Ctx<OrderTypeConfigInput & { orderType: string }>) {
        return commands.configureOrderType(this, ctx.params);
      },
    },
    /** GET /admin/order-types/{orderType}. */
    getOrderType: {
      params: { orderType: ORDER_TYPE_PARAMS.orderType },
      handler(ctx: Ctx<{ orderType: string }>) {
        return queries.orderType(this, ctx.params.orderType);
      },
    },
  },

  // The statistics' consumers join the service's own (docs/statistics.md).
  channels: withStatsChannels({
    /** Returns a closed unpaid order's stock and its part of the checkout's coupons and coins (the rest last). */
    [ORDER_EVENTS.closed]: {
      group: "order-holds",
      async handler(envelope: EventEnvelope) {
        const closed = envelope.payload as OrderClosedPayload;
        const calls: HoldCalls = {
          release: (params) => this.broker.call("inventory.release", params),
          unlock: (params) => this.broker.call("promotion.unlock", params),
          releasePart: (params) => this.broker.call("promotion.releasePart", params),
        };
        await consumeOnce(this.pool, "order-holds", envelope.eventId, (tx) => returnHolds(tx, calls, closed));
      },
    },
    /** The money arrived: pay (or close out of stock and refund) the checkout's orders. */
    "payment.succeeded": {
      group: "order-payments",
      // Enough deliveries in flight for the settlements' batches to form.
      maxInFlight: payments.SETTLE_BATCH_MAX,
      handler(envelope: EventEnvelope) {
        return payments.onPaymentSucceeded(this, envelope as EventEnvelope<PaymentSucceededPayload>);
      },
    },
    /** A package was handed over: PARTIALLY_SHIPPED or SHIPPED (then auto-confirm is armed). */
    "package.shipped": {
      group: "order-shipping",
      handler(envelope: EventEnvelope) {
        return fulfilment.onPackageShipped(this, envelope as EventEnvelope<PackageShippedPayload>);
      },
    },
    /** Units were intercepted: a partially shipped order may be wholly shipped now. */
    "package.intercepted": {
      group: "order-intercepts",
      handler(envelope: EventEnvelope) {
        return fulfilment.onPackageIntercepted(this, envelope as EventEnvelope<PackageInterceptedPayload>);
      },
    },
    /** Tracking moved forward: SIGNED marks the order delivered. */
    "logistics.status-changed": {
      group: "order-tracking",
      handler(envelope: EventEnvelope) {
        return fulfilment.onTracking(this, envelope as EventEnvelope<LogisticsStatusChangedPayload>);
      },
    },
    /** A refund was paid out: record it on the child order and its timeline. */
    "refund.succeeded": {
      group: "order-refunds",
      handler(envelope: EventEnvelope) {
        return payments.onRefundSucceeded(this, envelope as EventEnvelope<RefundSucceededPayload>);
      },
    },
    /** The provider refused a refund: an after-sales request asks again later; others go on the timeline. */
    "refund.failed": {
      group: "order-refunds-failed",
      handler(envelope: EventEnvelope) {
        return payments.onRefundFailed(this, envelope as EventEnvelope<RefundFailedPayload>);
      },
    },
  }),

  events: {
    /** An operator changed an order type's timers on some pod: forget the cached copy. */
    [ORDER_TYPE_CHANGED]: {
      handler(ctx: Context<{ orderType: string }>) {
        this.timersCache?.forget(ctx.params.orderType);
      },
    },
    /** Some pod paid or closed a checkout: answer the long polls waiting on it here. */
    [CHECKOUT_SETTLED]: {
      handler(ctx: Context<{ parentOrderNo: string }>) {
        this.checkoutWaiters?.notify(ctx.params.parentOrderNo);
      },
    },
  },

  created() {
    this.checkoutWaiters = new CheckoutWaiters();
  },

  async started() {
    this.redis = createRedis(config, { enableAutoPipelining: true });
    this.numbers = new OrderNumberGenerator({
      redis: this.redis,
      redisPrefix: config.redisPrefix,
      codec: new OrderNumberCodec(config.orderNoSecret),
    });
    this.timers = createTimers(config, "order-timers", { logger: this.logger });
    this.timersCache = new OrderTimersCache((orderType) => readOrderTimers(this.pool, orderType));
    this.deps = placeOrderDeps(this.broker, this.pool, this.numbers, this.timers, this.timersCache, () =>
      this.relay.kick(),
    );
    this.timers.handle<{ parentOrderNo: string }>(PAYMENT_TIMEOUT, ({ key }) =>
      commands.expirePayment(this, key),
    );
    this.timers.handle<{ orderNo: string }>(fulfilment.AUTO_CONFIRM, ({ key, firedAt }) =>
      fulfilment.fireAutoConfirm(this, key, firedAt),
    );
    this.timers.handle<{ orderNo: string }>(fulfilment.SHIP_BY, ({ key, firedAt }) =>
      fulfilment.fireShipBy(this, key, firedAt),
    );
    this.timers.handle<{ orderNo: string }>(fulfilment.AFTER_SALES_WINDOW, ({ key, firedAt }) =>
      fulfilment.fireWindowClosed(this, key, firedAt),
    );
    for (const kind of Object.values(afterSales.AFTER_SALES_TIMERS)) {
      this.timers.handle<{ afterSalesNo: string }>(kind, ({ key, firedAt }) =>
        afterSales.fireDeadline(this, key, firedAt),
      );
    }
    await this.timers.every("order-sweeper", config.sweepIntervalMs, async (now) => {
      await commands.sweep(this, now);
      await fulfilment.sweepFulfilment(this, now);
      await afterSales.sweepAfterSales(this, now);
      await payments.retryRefusedRefunds(this, now);
    });
    await this.timers.every("daily-reconciliation", DAILY_RECONCILIATION_EVERY_MS, async (now) => {
      const found = await runDailyReconciliation(this.pool, paymentLedger(this.broker), now);
      if (found) this.relay.kick();
      if (found && found.mismatches.length > 0) {
        this.logger.warn("the daily reconciliation found mismatches", {
          date: found.date,
          mismatches: found.mismatches.length,
          truncated: found.truncated,
        });
      }
    });
    await this.timers.start();
  },

  async stopped() {
    this.checkoutWaiters.cancelAll();
    await this.timers?.stop();
    this.redis?.disconnect();
  },
});

export default orderService;

/** The service instance the command and query modules work with. */
export type OrderService = Service & OrderVars;
