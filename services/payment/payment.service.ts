import type Redis from "ioredis";
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { config } from "../../shared/config/config";
import { type Caller, callerOf } from "../../shared/contracts/caller";
import type {
  LedgerParams,
  PaymentMethod,
  PreparePaymentResult,
  RefundParams,
} from "../../shared/contracts/payment.contract";
import { formatDuration } from "../../shared/duration";
import { validationFailed } from "../../shared/errors";
import { OrderNumberGenerator } from "../../shared/order-number/counter-blocks";
import { OrderNumberCodec } from "../../shared/order-number/order-number";
import { createRedis } from "../../shared/redis";
import { type PersistentServiceVars, persistentService } from "../../shared/service/persistent-service.mixin";
import { createTimers, type Timers } from "../../shared/timers/timers";
import { CallbackCourier } from "../../shared/webhooks/callback-courier";
import { createPayment } from "./commands/create-payment";
import { handleProviderDocument } from "./commands/handle-document";
import type { PaymentDeps } from "./commands/payment-deps";
import { purgeOldNotices } from "./commands/purge-notices";
import { queryDue } from "./commands/query-sweep";
import { refundPayment } from "./commands/refund-payment";
import { retryDuplicateRefund } from "./commands/retry-duplicate-refunds";
import { type SandboxCompletion, sandboxComplete } from "./commands/sandbox-complete";
import { NOTICE_PURGE_EVERY_MS, noticeRetentionMs } from "./domain/notice-retention";
import { querySweepIntervalMs } from "./domain/query-schedule";
import {
  CALLBACK_PARAMS,
  CREATE_PARAMS,
  FOR_PARENT_PARAMS,
  LEDGER_PARAMS,
  PAYMENT_NO_PARAMS,
  REFUND_PARAMS,
  SANDBOX_COMPLETE_PARAMS,
} from "./payment.params";
import { paymentDetail, paymentForParent } from "./payment-queries";
import { ProviderRegistry, providerSecrets } from "./providers/provider-registry";
import { ledgerPage } from "./store/ledger.repo";

export interface PaymentVars extends PersistentServiceVars {
  redis: Redis;
  timers: Timers;
  courier: CallbackCourier;
  deps: PaymentDeps;
}

/** What the gateway passes for a signed webhook: the exact body and its X-Signature header. */
type Meta = { user?: Caller; rawBody?: string; signature?: string };
type Ctx<P = Record<string, unknown>> = Context<P, Meta>;
type CallbackParams = { provider: string; rawBody?: string; signature?: string };

/**
 * Payments: attempts per checkout, provider adapters, signed callbacks, active queries, refunds.
 * Periodic work (BullMQ sweepers, one pod per tick): `payment-query` (queries, retried provider
 * closes) and `payment-notice-purge` (the notification inbox past its retention).
 */
const paymentService: ServiceSchema<ServiceSettingSchema, Record<string, never>, PaymentVars> = {
  name: "payment",
  mixins: [persistentService("payment")],

  actions: {
    /** POST /payments: opens (or reuses) the checkout's attempt with a method; answers where to pay. */
    create: {
      params: CREATE_PARAMS,
      handler(ctx: Ctx<{ parentOrderNo: string; method: PaymentMethod }>) {
        const prepare = () =>
          ctx.call<PreparePaymentResult, object>("order.preparePayment", {
            parentOrderNo: ctx.params.parentOrderNo,
          });
        return createPayment(this.deps, callerOf(ctx.meta), ctx.params, prepare);
      },
    },
    /** GET /payments/{paymentNo}: the buyer's own or, for an admin, any. */
    get: {
      params: PAYMENT_NO_PARAMS,
      handler(ctx: Ctx<{ paymentNo: string }>) {
        return paymentDetail(this.deps, callerOf(ctx.meta), ctx.params.paymentNo);
      },
    },
    /** The checkout's payment (PaymentView) or null, for the order detail. Internal. */
    forParent: {
      visibility: "public",
      params: FOR_PARENT_PARAMS,
      handler(ctx: Ctx<{ parentOrderNo: string }>) {
        return paymentForParent(this.deps, ctx.params.parentOrderNo);
      },
    },
    /** What the payment service recorded in a window, or by number, for the reconciliation. Internal. */
    ledger: {
      visibility: "public",
      params: LEDGER_PARAMS,
      handler(ctx: Ctx<LedgerParams>) {
        if (!ctx.params.nos && !(ctx.params.from && ctx.params.to)) {
          throw validationFailed("from", "A ledger page needs from and to, or nos");
        }
        return ledgerPage(this.deps.pool, ctx.params);
      },
    },
    /** A duplicate payment's refused refund asked again now (an operator, through the order service). Internal. */
    retryDuplicateRefund: {
      visibility: "public",
      params: { refundNo: { type: "string", pattern: /^\d{16,20}$/ } },
      handler(ctx: Ctx<{ refundNo: string }>) {
        return retryDuplicateRefund(this.deps, ctx.params.refundNo);
      },
    },
    /** Refunds part of a paid checkout (RefundParams); idempotent per key. Internal. */
    refund: {
      visibility: "public",
      params: REFUND_PARAMS,
      handler(ctx: Ctx<RefundParams>) {
        return refundPayment(this.deps, ctx.params);
      },
    },
    /** POST /payments/callbacks/{provider}: a provider's signed notification (public route). */
    callback: {
      params: CALLBACK_PARAMS,
      async handler(ctx: Ctx<CallbackParams>) {
        const method = ctx.params.provider.toUpperCase() as PaymentMethod;
        const rawBody = ctx.meta.rawBody ?? ctx.params.rawBody;
        const signature = ctx.meta.signature ?? ctx.params.signature;
        const outcome = await handleProviderDocument(this.deps, method, { rawBody, signature }, "CALLBACK");
        return { code: "SUCCESS", ...outcome };
      },
    },
    /** POST /sandbox/payments/{providerPaymentNo}/complete: the sandbox provider sends its callbacks. */
    sandboxComplete: {
      params: SANDBOX_COMPLETE_PARAMS,
      handler(ctx: Ctx<SandboxCompletion>) {
        return sandboxComplete(this.deps, ctx.params);
      },
    },
  },

  async started() {
    this.redis = createRedis(config, { enableAutoPipelining: true });
    const numbers = new OrderNumberGenerator({
      redis: this.redis,
      redisPrefix: config.redisPrefix,
      codec: new OrderNumberCodec(config.orderNoSecret),
    });
    const secrets = providerSecrets(config);
    for (const [method, secret] of Object.entries(secrets)) {
      if (secret === "") this.logger.warn(`No callback key for ${method}: its callbacks are refused`);
    }
    const retentionMs = noticeRetentionMs(config.paymentNoticeRetentionMs);
    if (retentionMs !== config.paymentNoticeRetentionMs) {
      this.logger.warn(
        `PAYMENT_NOTICE_RETENTION is below the minimum: notifications are kept ${formatDuration(retentionMs)}`,
      );
    }
    this.courier = new CallbackCourier((err) => this.logger.warn("sandbox callback failed", err));
    // The sandbox reaches the callback action through the broker, with the raw body and signature it made.
    const send = (method: PaymentMethod, doc: { rawBody: string; signature: string }) =>
      this.broker
        .call("payment.callback", { provider: method, ...doc })
        .catch((err: Error & { type?: string }) => {
          this.logger.warn("sandbox callback refused", { method, error: err.type ?? err.message });
          return { error: err.type ?? err.message };
        });
    this.deps = {
      pool: this.pool,
      providers: config.paymentSandbox
        ? ProviderRegistry.sandbox(secrets, this.pool, this.courier, send)
        : new ProviderRegistry({}),
      secrets,
      nextNumber: (request) => numbers.next(request),
      queryAfterMs: config.paymentQueryAfterMs,
      noticeRetentionMs: retentionMs,
      sandboxEnabled: config.paymentSandbox,
      committed: () => this.relay.kick(),
      logger: this.logger,
    };
    this.timers = createTimers(config, "payment-timers", { logger: this.logger });
    const every = querySweepIntervalMs(config.paymentQueryAfterMs, config.sweepIntervalMs);
    await this.timers.every("payment-query", every, (now) => queryDue(this.deps, now).then(() => undefined));
    await this.timers.every("payment-notice-purge", NOTICE_PURGE_EVERY_MS, (now) =>
      purgeOldNotices(this.deps, now).then(() => undefined),
    );
    await this.timers.start();
  },

  async stopped() {
    await this.timers?.stop();
    await this.courier?.stop();
    this.redis?.disconnect();
  },
};

export default paymentService;

/** The service instance, for tests that look at its pool. */
export type PaymentService = Service & PaymentVars;
