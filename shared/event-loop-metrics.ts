import { type EventLoopUtilization, monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { Middleware, ServiceBroker } from "moleculer";

/**
 * The process's event loop as metrics. All services of a process share its
 * one event loop, and it saturates before the pod's CPU does: a process
 * whose loop is busy 90% of the time answers late whatever its CPU reads, so
 * this is the figure to scale out on (docs/performance.md).
 */
export const EVENT_LOOP_METRICS = {
  /** Share of the last interval the loop was running callbacks (0..1). */
  utilization: "process.eventloop.utilization",
  /** How late the loop's timers ran in the last interval, in milliseconds. */
  delayP50: "process.eventloop.delay.p50",
  delayP99: "process.eventloop.delay.p99",
  delayMax: "process.eventloop.delay.max",
} as const;

/** One interval of the event loop: the share of time it was busy, and how late timers ran (ms). */
export interface EventLoopSample {
  utilization: number;
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

/** Measures the event loop interval by interval: each `sample()` covers the time since the previous one. */
export class EventLoopMeter {
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });
  private last: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    this.delay.enable();
  }

  sample(): EventLoopSample {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.last);
    this.last = now;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const sample = {
      utilization: Math.round(utilization * 1000) / 1000,
      delayP50Ms: ms(this.delay.percentile(50)),
      delayP99Ms: ms(this.delay.percentile(99)),
      delayMaxMs: ms(this.delay.max),
    };
    this.delay.reset();
    return sample;
  }

  stop(): void {
    this.delay.disable();
  }
}

/** Sets the gauges to one interval's sample. */
function publish(broker: ServiceBroker, s: EventLoopSample): void {
  broker.metrics.set(EVENT_LOOP_METRICS.utilization, s.utilization);
  broker.metrics.set(EVENT_LOOP_METRICS.delayP50, s.delayP50Ms);
  broker.metrics.set(EVENT_LOOP_METRICS.delayP99, s.delayP99Ms);
  broker.metrics.set(EVENT_LOOP_METRICS.delayMax, s.delayMaxMs);
}

/**
 * Publishes the event loop gauges while the broker runs (when its metrics are on): first once
 * started (covering the start-up), then every `everyMs`.
 */
export function eventLoopMetrics(everyMs = 5_000): Middleware {
  let meter: EventLoopMeter | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    name: "EventLoopMetrics",
    created(broker: ServiceBroker) {
      if (!broker.isMetricsEnabled()) return;
      const gauge = (name: string, description: string, unit: string) =>
        broker.metrics.register({ name, type: "gauge", description, unit });
      gauge(EVENT_LOOP_METRICS.utilization, "Share of the last interval the event loop was busy", "ratio");
      gauge(EVENT_LOOP_METRICS.delayP50, "Event loop delay p50 over the last interval", "millisecond");
      gauge(EVENT_LOOP_METRICS.delayP99, "Event loop delay p99 over the last interval", "millisecond");
      gauge(EVENT_LOOP_METRICS.delayMax, "Largest event loop delay over the last interval", "millisecond");
      meter = new EventLoopMeter();
    },
    async started(broker: ServiceBroker) {
      const running = meter;
      if (!running) return;
      publish(broker, running.sample());
      timer = setInterval(() => publish(broker, running.sample()), everyMs);
      timer.unref();
    },
    async stopped() {
      clearInterval(timer);
      meter?.stop();
    },
  };
}
