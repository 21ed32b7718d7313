import { parseDuration } from "../duration";
/**
 * Typed configuration from environment variables, read in one place.
 * Every variable here is listed in the README's configuration table.
 */
export interface AppConfig {
  nodeEnv: string;
  /** Moleculer namespace: prefixes NATS subjects and JetStream stream names, so runs never collide. */
  namespace: string;
  nodeId: string | undefined;
  natsUrl: string;
  databaseUrl: string;
  /** Prefix for every service's PostgreSQL schema (`<prefix>order`, `<prefix>inventory` ...). */
  dbSchemaPrefix: string;
  dbPoolMax: number;
  dbPreparedStatements: boolean;
  redisUrl: string;
  /** Prefix for every Redis key, BullMQ queues included. */
  redisPrefix: string;
  host: string;
  port: number;
  jwtSecret: string;
  /** Key of the permutation that keeps order numbers from revealing volume. */
  orderNoSecret: string;
  authDevTokens: boolean;
  logLevel: string;
  /** Port of the per-process Prometheus endpoint; 0 picks a free port (the gateway also serves /metrics). */
  metricsPort: number;
  requestTimeoutMs: number;
  /** Requests per minute per client address at the gateway; 0 turns the limit off. */
  rateLimitPerMinute: number;
  outboxPollMs: number;
  channelMaxRetries: number;
  /** Bytes each channel's JetStream stream may hold; JetStream reserves it on disk for every stream. */
  channelStreamMaxBytes: number;
  /** How long published outbox rows are kept (for diagnosis) before the housekeeping deletes them. */
  outboxRetentionMs: number;
  /** How long inbox rows are kept; at least a stream's max age plus a day (shorter is raised). */
  inboxRetentionMs: number;
  /** How often each service instance deletes outbox and inbox rows past their retention; 0 never. */
  housekeepingEveryMs: number;
  /** How often timer sweepers look for overdue work a lost timer job missed. */
  sweepIntervalMs: number;
  /** Sandbox payment providers (WECHAT, ALIPAY, UNIONPAY) and their completion endpoint. */
  paymentSandbox: boolean;
  /** A payment still PENDING this long after creation is asked about at its provider (active query). */
  paymentQueryAfterMs: number;
  /** HMAC-SHA256 keys of the providers' signed callbacks; an empty key refuses that provider's callbacks. */
  paymentWechatSecret: string;
  paymentAlipaySecret: string;
  paymentUnionpaySecret: string;
  /** Provider notifications older than this are purged from the inbox (keep it past the providers' retries). */
  paymentNoticeRetentionMs: number;
  /** In-app messages, finished deliveries and ended orders' facts older than this are purged (at least 30 days). */
  notificationRetentionMs: number;
  /** A line whose declared value (unit value x quantity) exceeds this ships in a package of its own. */
  warehouseHighValueMinor: number;
  /** Package limits; a line's units are spread over several packages to keep them. */
  warehouseMaxPackageGrams: number;
  warehouseMaxPackageCm3: number;
  /** Storage classes that must not share a package, as pairs: "FOOD:CHEMICAL,COLD_CHAIN:AMBIENT". */
  warehouseIncompatibleClasses: string;
  /** Sandbox carriers: online waybills for every carrier and the tracking-event trigger endpoint. */
  logisticsSandbox: boolean;
  /** HMAC-SHA256 keys of the carriers' signed tracking webhooks; an empty key refuses that carrier's webhooks. */
  logisticsSfSecret: string;
  logisticsZtoSecret: string;
  logisticsYtoSecret: string;
  logisticsJdSecret: string;
  logisticsCainiaoSecret: string;
  /** How long before the payment deadline the buyer is reminded to pay. */
  notifyPaymentReminderMs: number;
  /** How long before auto-confirm the buyer is reminded to confirm receipt. */
  notifyAutoConfirmReminderMs: number;
  /** Attempts per (event, recipient, channel) delivery before it goes to the dead-letter list. */
  notifyMaxAttempts: number;
  /** First retry delay of a failed delivery; doubles each attempt. */
  notifyRetryBaseMs: number;
  /** How often the inventory compares Redis counters with the ledger and tells operators of new drift; 0 turns it off. */
  inventoryCheckEveryMs: number;
}

function str(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`Environment variable ${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new Error(`Environment variable ${name} must be true or false, got "${raw}"`);
}

function durationMs(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  return parseDuration(str(env, name, fallback), name);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = str(env, "NODE_ENV", "development");
  const production = nodeEnv === "production";
  const jwtSecret = str(env, "JWT_SECRET", production ? "" : "dev-only-secret-change-me");
  if (jwtSecret === "") throw new Error("JWT_SECRET must be set in production");
  const orderNoSecret = str(env, "ORDER_NO_SECRET", production ? "" : "dev-only-order-number-key");
  if (orderNoSecret === "") throw new Error("ORDER_NO_SECRET must be set in production");
  // Dev-only callback keys outside production; in production an unset key refuses that provider's callbacks.
  const providerSecret = (name: string, dev: string) => str(env, name, production ? "" : dev);
  return {
    nodeEnv,
    namespace: str(env, "NAMESPACE", "oms"),
    nodeId: env.NODE_ID || undefined,
    natsUrl: str(env, "NATS_URL", "nats://127.0.0.1:4222"),
    databaseUrl: str(env, "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    dbSchemaPrefix: str(env, "DB_SCHEMA_PREFIX", ""),
    dbPoolMax: int(env, "DB_POOL_MAX", 10),
    dbPreparedStatements: bool(env, "DB_PREPARED_STATEMENTS", true),
    redisUrl: str(env, "REDIS_URL", "redis://127.0.0.1:6379"),
    redisPrefix: str(env, "REDIS_PREFIX", "oms:"),
    host: str(env, "HOST", "127.0.0.1"),
    port: int(env, "PORT", 3000),
    jwtSecret,
    orderNoSecret,
    authDevTokens: bool(env, "AUTH_DEV_TOKENS", !production),
    logLevel: str(env, "LOG_LEVEL", "info"),
    metricsPort: int(env, "METRICS_PORT", 0),
    requestTimeoutMs: int(env, "REQUEST_TIMEOUT_MS", 10_000),
    rateLimitPerMinute: int(env, "RATE_LIMIT_PER_MINUTE", 6000),
    outboxPollMs: int(env, "OUTBOX_POLL_MS", 200),
    channelMaxRetries: int(env, "CHANNEL_MAX_RETRIES", 5),
    channelStreamMaxBytes: int(env, "CHANNEL_STREAM_MAX_BYTES", 256 * 1024 ** 2),
    outboxRetentionMs: durationMs(env, "OUTBOX_RETENTION", "7d"),
    inboxRetentionMs: durationMs(env, "INBOX_RETENTION", "8d"),
    housekeepingEveryMs: durationMs(env, "HOUSEKEEPING_EVERY", "1h"),
    sweepIntervalMs: int(env, "SWEEP_INTERVAL_MS", 30_000),
    paymentSandbox: bool(env, "PAYMENT_SANDBOX", true),
    paymentQueryAfterMs: int(env, "PAYMENT_QUERY_AFTER_MS", 60_000),
    paymentWechatSecret: providerSecret("PAYMENT_WECHAT_SECRET", "dev-only-wechat-callback-key"),
    paymentAlipaySecret: providerSecret("PAYMENT_ALIPAY_SECRET", "dev-only-alipay-callback-key"),
    paymentUnionpaySecret: providerSecret("PAYMENT_UNIONPAY_SECRET", "dev-only-unionpay-callback-key"),
    paymentNoticeRetentionMs: durationMs(env, "PAYMENT_NOTICE_RETENTION", "30d"),
    warehouseHighValueMinor: int(env, "WAREHOUSE_HIGH_VALUE_MINOR", 500_000),
    warehouseMaxPackageGrams: int(env, "WAREHOUSE_MAX_PACKAGE_GRAMS", 20_000),
    warehouseMaxPackageCm3: int(env, "WAREHOUSE_MAX_PACKAGE_CM3", 120_000),
    warehouseIncompatibleClasses: str(
      env,
      "WAREHOUSE_INCOMPATIBLE_CLASSES",
      "FOOD:CHEMICAL,COLD_CHAIN:AMBIENT,COLD_CHAIN:CHEMICAL,FROZEN:AMBIENT,FROZEN:CHEMICAL",
    ),
    logisticsSandbox: bool(env, "LOGISTICS_SANDBOX", true),
    logisticsSfSecret: providerSecret("LOGISTICS_SF_SECRET", "dev-only-sf-webhook-key"),
    logisticsZtoSecret: providerSecret("LOGISTICS_ZTO_SECRET", "dev-only-zto-webhook-key"),
    logisticsYtoSecret: providerSecret("LOGISTICS_YTO_SECRET", "dev-only-yto-webhook-key"),
    logisticsJdSecret: providerSecret("LOGISTICS_JD_SECRET", "dev-only-jd-webhook-key"),
    logisticsCainiaoSecret: providerSecret("LOGISTICS_CAINIAO_SECRET", "dev-only-cainiao-webhook-key"),
    notifyPaymentReminderMs: durationMs(env, "NOTIFY_PAYMENT_REMINDER_BEFORE", "5m"),
    notifyAutoConfirmReminderMs: durationMs(env, "NOTIFY_AUTO_CONFIRM_REMINDER_BEFORE", "1d"),
    notifyMaxAttempts: int(env, "NOTIFY_MAX_ATTEMPTS", 5),
    notifyRetryBaseMs: int(env, "NOTIFY_RETRY_BASE_MS", 1_000),
    notificationRetentionMs: durationMs(env, "NOTIFICATION_RETENTION", "180d"),
    inventoryCheckEveryMs: durationMs(env, "INVENTORY_CHECK_EVERY", "1h"),
  };
}

/** The process-wide configuration, read once. */
export const config: AppConfig = loadConfig();
