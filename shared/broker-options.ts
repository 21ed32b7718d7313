import { hostname } from "node:os";
import type { BrokerOptions } from "moleculer";
import { channelsMiddleware } from "./channels";
import type { AppConfig } from "./config/config";
import { eventLoopMetrics } from "./event-loop-metrics";

/** Client errors (4xx) are answers, not faults: never retried, never trip the breaker. */
const isServerFault = (err: Error & { code?: number }) => !err.code || err.code >= 500;

/** The broker configuration every process uses: the runner, the tests and the benchmarks. */
export function brokerOptions(cfg: AppConfig, overrides: Partial<BrokerOptions> = {}): BrokerOptions {
  return {
    namespace: cfg.namespace,
    nodeID: cfg.nodeId ?? `${hostname()}-${process.pid}`,
    transporter: { type: "NATS", options: { url: cfg.natsUrl } },
    requestTimeout: cfg.requestTimeoutMs,
    // A node that died without saying goodbye is dropped after 15 s (default 30 s).
    heartbeatInterval: 5,
    heartbeatTimeout: 15,
    retryPolicy: {
      enabled: true,
      retries: 3,
      delay: 100,
      maxDelay: 1000,
      factor: 2,
      check: (err: Error) => (err as { retryable?: boolean }).retryable === true,
    },
    circuitBreaker: {
      enabled: true,
      threshold: 0.5,
      minRequestCount: 20,
      windowTime: 60,
      halfOpenTime: 10_000,
      check: isServerFault,
    },
    logger: {
      type: "Console",
      options: { formatter: "json", level: cfg.logLevel, colors: false, moduleColors: false },
    },
    logLevel: cfg.logLevel as BrokerOptions["logLevel"],
    metrics: {
      enabled: true,
      reporter: [{ type: "Prometheus", options: { port: cfg.metricsPort } }],
    },
    tracing: false,
    validator: true,
    middlewares: [channelsMiddleware(cfg), eventLoopMetrics()],
    ...overrides,
  };
}
