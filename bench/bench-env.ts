import { randomBytes } from "node:crypto";

/** Gives a benchmark run its own schemas, Redis keys and streams (like a test run), before config is read. */
export const BENCH_RUN_ID = `b${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
process.env.NAMESPACE = BENCH_RUN_ID;
process.env.DB_SCHEMA_PREFIX = `${BENCH_RUN_ID}_`;
process.env.REDIS_PREFIX = `${BENCH_RUN_ID}:`;
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? "warn";
process.env.PORT = "0";
process.env.RATE_LIMIT_PER_MINUTE = "0";
