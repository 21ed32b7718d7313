import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { withChannels } from "../../shared/channels";
import { config } from "../../shared/config/config";
import { type Caller, callerOf } from "../../shared/contracts/caller";
import type {
  AfterSalesStepPayload,
  OrderPaidPayload,
  OrderPlacedPayload,
} from "../../shared/contracts/order.contract";
import { formatDuration } from "../../shared/duration";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import { type PersistentServiceVars, persistentService } from "../../shared/service/persistent-service.mixin";
import { createTimers, type Timers } from "../../shared/timers/timers";
import { sandboxAdapters } from "./adapters/sandbox.adapter";
import * as events from "./commands/consume-events";
import { deadLetters, redrive } from "./commands/dead-letters";
import { retryDelivery, sweepDeliveries } from "./commands/deliver";
import { markRead, myMessages, unreadCount } from "./commands/inbox";
import { NOTIFY_RETRY, type NotificationDeps, type NotificationSettings } from "./commands/notification-deps";
import { purgeOldNotifications } from "./commands/purge";
import { fireReminder, sweepReminders } from "./commands/reminders";
import { getRule, listRules, putRule } from "./commands/rules";
import type { AfterSalesChannel } from "./domain/event-notifications";
import { AUTO_CONFIRM_REMINDER, PAYMENT_REMINDER } from "./domain/reminders";
import { NOTIFICATION_PURGE_EVERY_MS, notificationRetentionMs } from "./domain/retention";
import type { RuleInput } from "./domain/rule";
import {
  DEAD_LETTER_PARAMS,
  ID_PARAM,
  MY_MESSAGES_PARAMS,
  NODE_PARAM,
  PUT_RULE_PARAMS,
} from "./notification.params";
import { RuleCache } from "./rule-cache";
import { readRules } from "./store/rule.repo";

export interface NotificationVars extends PersistentServiceVars {
  timers: Timers;
  deps: NotificationDeps;
  /** This instance's batching consumers of `order.placed` and `order.paid`. */
  batched: events.BatchedConsumers;
}

type Ctx<P = Record<string, unknown>> = Context<P, { user?: Caller }>;
type Settings = ServiceSettingSchema & NotificationSettings;
type Envelope<T> = EventEnvelope<T>;

/** Broadcast when an operator edits a rule: every pod forgets its cached rules. */
export const RULES_CHANGED = "notification.rulesChanged";

/** One consumer group per source channel, whose handler calls one command with the envelope. */
function consumer<T>(group: string, consume: (deps: NotificationDeps, e: Envelope<T>) => Promise<void>) {
  return {
    group,
    handler(this: NotificationService, envelope: EventEnvelope) {
      return consume(this.deps, envelope as Envelope<T>);
    },
  };
}

function afterSalesChannel(channel: AfterSalesChannel, group: string) {
  return consumer<AfterSalesStepPayload>(group, (deps, e) => events.onAfterSales(deps, channel, e));
}

/** Rules per order-flow node, the in-app inbox, channel adapters with retries and dead letters, reminders. */
const notificationService: ServiceSchema<Settings, Record<string, never>, NotificationVars> = withChannels({
  name: "notification",
  mixins: [persistentService("notification")],

  settings: {
    maxAttempts: config.notifyMaxAttempts,
    retryBaseMs: config.notifyRetryBaseMs,
    paymentReminderMs: config.notifyPaymentReminderMs,
    autoConfirmReminderMs: config.notifyAutoConfirmReminderMs,
    sendingLeaseMs: 60_000,
    retentionMs: notificationRetentionMs(config.notificationRetentionMs),
  },

  actions: {
    /** GET /me/messages: the caller's in-app messages, newest first. */
    myMessages: {
      params: MY_MESSAGES_PARAMS,
      handler(ctx: Ctx<{ unread?: boolean; limit?: number; cursor?: string }>) {
        return myMessages(this.deps, callerOf(ctx.meta), ctx.params);
      },
    },
    /** GET /me/messages/unread-count. */
    unreadCount: {
      handler(ctx: Ctx) {
        return unreadCount(this.deps, callerOf(ctx.meta));
      },
    },
    /** POST /me/messages/{id}/read. */
    markRead: {
      params: ID_PARAM,
      handler(ctx: Ctx<{ id: string }>) {
        return markRead(this.deps, callerOf(ctx.meta), ctx.params.id);
      },
    },
    /** GET /admin/notification-rules. */
    listRules: {
      handler(ctx: Ctx) {
        return listRules(this.deps, callerOf(ctx.meta));
      },
    },
    /** GET /admin/notification-rules/{node}. */
    getRule: {
      params: NODE_PARAM,
      handler(ctx: Ctx<{ node: string }>) {
        return getRule(this.deps, callerOf(ctx.meta), ctx.params.node);
      },
    },
    /** PUT /admin/notification-rules/{node}. */
    putRule: {
      params: PUT_RULE_PARAMS,
      handler(ctx: Ctx<RuleInput & { node: string }>) {
        return putRule(this.deps, callerOf(ctx.meta), ctx.params.node, ctx.params);
      },
    },
    /** GET /admin/notifications/dead-letters. */
    deadLetters: {
      params: DEAD_LETTER_PARAMS,
      handler(ctx: Ctx<{ limit?: number; cursor?: string }>) {
        return deadLetters(this.deps, callerOf(ctx.meta), ctx.params);
      },
    },
    /** POST /admin/notifications/dead-letters/{id}/redrive. */
    redrive: {
      params: ID_PARAM,
      handler(ctx: Ctx<{ id: string }>) {
        return redrive(this.deps, callerOf(ctx.meta), ctx.params.id);
      },
    },
  },

  channels: {
    /** ORDER_PLACED, and the payment reminder armed; events in flight together are committed together. */
    "order.placed": {
      group: "notification-order-placed",
      maxInFlight: events.MAX_BATCH,
      handler(envelope: EventEnvelope) {
        return this.batched.placed(envelope as Envelope<OrderPlacedPayload>);
      },
    },
    /** PAYMENT_SUCCEEDED; the payment reminder is dropped; events in flight together are committed together. */
    "order.paid": {
      group: "notification-order-paid",
      maxInFlight: events.MAX_BATCH,
      handler(envelope: EventEnvelope) {
        return this.batched.paid(envelope as Envelope<OrderPaidPayload>);
      },
    },
    /** No message; the payment reminder is dropped. */
    "order.closed": consumer("notification-order-closed", events.onOrderClosed),
    /** SHIPPED per package; the auto-confirm reminder once the order is SHIPPED. */
    "order.shipped": consumer("notification-order-shipped", events.onOrderShipped),
    /** SHIP_OVERDUE: the ship-by deadline passed, the shop and the operators are told. */
    "order.ship-overdue": consumer("notification-ship-overdue", events.onShipOverdue),
    /** COMPLETED, the invitation to review; the auto-confirm reminder is dropped. */
    "order.completed": consumer("notification-order-completed", events.onOrderCompleted),
    /** SIGNED (other tracking statuses tell nobody). */
    "logistics.status-changed": consumer("notification-logistics-signed", events.onTrackingChanged),
    "aftersales.created": afterSalesChannel("aftersales.created", "notification-aftersales-created"),
    "aftersales.approved": afterSalesChannel("aftersales.approved", "notification-aftersales-approved"),
    "aftersales.rejected": afterSalesChannel("aftersales.rejected", "notification-aftersales-rejected"),
    "aftersales.appealed": afterSalesChannel("aftersales.appealed", "notification-aftersales-appealed"),
    "aftersales.refunded": afterSalesChannel("aftersales.refunded", "notification-aftersales-refunded"),
    /** RECONCILIATION_MISMATCHED to the operators, when the day's reconciliation found mismatches. */
    "settlement.reconciled": consumer("notification-reconciled", events.onReconciled),
    /** STOCK_DRIFTED to the operators, when a stock check found new drift. */
    "inventory.drifted": consumer("notification-stock-drifted", events.onStockDrifted),
    /** STOCK_DRIFT_CLEARED to the operators, when a stock check found the drift gone. */
    "inventory.drift-cleared": consumer("notification-stock-drift-cleared", events.onStockDriftCleared),
  },

  events: {
    /** Another pod edited a rule: forget the cached rules (this pod forgot its own already). */
    [RULES_CHANGED]: {
      handler(ctx: Context) {
        if (ctx.nodeID !== this.broker.nodeID) this.deps?.rules.forget();
      },
    },
  },

  async started() {
    if (this.settings.retentionMs !== config.notificationRetentionMs) {
      this.logger.warn(
        `NOTIFICATION_RETENTION is below the minimum: notifications are kept ${formatDuration(this.settings.retentionMs)}`,
      );
    }
    this.timers = createTimers(config, "notification-timers", { logger: this.logger });
    const rules = new RuleCache(() => readRules(this.pool));
    this.deps = {
      pool: this.pool,
      rules,
      adapters: sandboxAdapters(this.pool),
      timers: this.timers,
      settings: this.settings,
      rulesChanged: () => {
        rules.forget();
        this.broker
          .broadcast(RULES_CHANGED, {})
          .catch((err: unknown) => this.logger.warn("rule change not broadcast", err));
      },
      log: this.logger,
    };
    this.batched = events.batchedConsumers(this.deps);
    this.timers.handle<{ deliveryId: string }>(NOTIFY_RETRY, ({ key, firedAt }) =>
      retryDelivery(this.deps, key, firedAt),
    );
    this.timers.handle<{ orderNo: string }>(PAYMENT_REMINDER, ({ key, firedAt }) =>
      fireReminder(this.deps, PAYMENT_REMINDER, key, firedAt),
    );
    this.timers.handle<{ orderNo: string }>(AUTO_CONFIRM_REMINDER, ({ key, firedAt }) =>
      fireReminder(this.deps, AUTO_CONFIRM_REMINDER, key, firedAt),
    );
    await this.timers.every("notification-sweeper", config.sweepIntervalMs, async (now) => {
      await sweepDeliveries(this.deps, now);
      await sweepReminders(this.deps, now);
    });
    await this.timers.every("notification-purge", NOTIFICATION_PURGE_EVERY_MS, (now) =>
      purgeOldNotifications(this.deps, now).then(() => undefined),
    );
    await this.timers.start();
  },

  async stopped() {
    await this.timers?.stop();
  },
});

export default notificationService;

/** The service instance, for tests that look at its pool, settings and commands' deps. */
export type NotificationService = Service<Settings> & NotificationVars;
