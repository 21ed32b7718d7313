import { randomBytes } from "node:crypto";

/**
 * Gives this test run its own PostgreSQL schema prefix, Redis key prefix and
 * Moleculer namespace (which also names the JetStream streams), so runs never
 * collide. Workers inherit these variables.
 */
export default function globalSetup(): void {
  const runId = `t${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  process.env.TEST_RUN_ID = runId;
  process.env.NAMESPACE = runId;
  process.env.DB_SCHEMA_PREFIX = `${runId}_`;
  process.env.REDIS_PREFIX = `${runId}:`;
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? "warn";
  process.env.AUTH_DEV_TOKENS = "true";
  process.env.DB_POOL_MAX = process.env.DB_POOL_MAX ?? "4";
  process.env.PORT = "0";
  process.env.METRICS_PORT = "0";
  process.env.OUTBOX_POLL_MS = "50";
  process.env.RATE_LIMIT_PER_MINUTE = "0";
  // JetStream reserves each stream's limit on disk: small streams keep concurrent runs within the store.
  process.env.CHANNEL_STREAM_MAX_BYTES = "16777216";
  // A scheduled stock check runs at once when its scheduler is new: tests run their checks when they choose.
  process.env.INVENTORY_CHECK_EVERY = "0m";
}
