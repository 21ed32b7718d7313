import { randomBytes } from "node:crypto";

/** The benchmark run's own schemas, Redis keys and streams; imported before anything reads the configuration. */
export const RUN_ID = `b${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
Object.assign(process.env, {
  NAMESPACE: RUN_ID,
  DB_SCHEMA_PREFIX: `${RUN_ID}_`,
  REDIS_PREFIX: `${RUN_ID}:`,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  METRICS_PORT: "0",
});
