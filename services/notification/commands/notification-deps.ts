import type { Pool } from "pg";
import type { Timers } from "../../../shared/timers/timers";
import type { ChannelAdapters } from "../adapters/channel-adapter";
import type { RuleCache } from "../rule-cache";

/** Tunables, from the configuration; a service setting each, so a test can shorten them. */
export interface NotificationSettings {
  /** Attempts per delivery before it is dead-lettered. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt. */
  retryBaseMs: number;
  /** How long before the payment deadline the buyer is reminded. */
  paymentReminderMs: number;
  /** How long before auto-confirm the buyer is reminded. */
  autoConfirmReminderMs: number;
  /** A delivery claimed longer ago than this is taken as lost with its sender and sent again. */
  sendingLeaseMs: number;
  /** Messages, finished deliveries and ended orders' facts older than this are purged. */
  retentionMs: number;
}

/** What the commands work with; built once in the service's `started`. */
export interface NotificationDeps {
  pool: Pool;
  rules: RuleCache;
  adapters: ChannelAdapters;
  timers: Pick<Timers, "schedule" | "arm" | "cancel">;
  /** Read at each use, so a changed setting applies at once. */
  settings: NotificationSettings;
  /** Forget cached rules here and tell the other pods. */
  rulesChanged(): void;
  log: { warn(...args: unknown[]): void; info(...args: unknown[]): void };
}

/** Timer kind of a failed delivery's next attempt; the key is the delivery id. */
export const NOTIFY_RETRY = "notify-retry";
