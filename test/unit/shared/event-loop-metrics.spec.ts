import { setTimeout as sleep } from "node:timers/promises";
import { ServiceBroker } from "moleculer";
import { EVENT_LOOP_METRICS, EventLoopMeter, eventLoopMetrics } from "../../../shared/event-loop-metrics";

/** Keeps the event loop busy for `ms`. */
function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy on purpose
  }
}

describe("event loop metrics", () => {
  it("samples how busy the loop was and how late its timers ran since the previous sample", async () => {
    const meter = new EventLoopMeter();
    try {
      meter.sample();
      // The delay monitor's first tick after a sample only restarts its clock.
      await sleep(30);
      block(150);
      await sleep(30);
      const busy = meter.sample();
      expect(busy.utilization).toBeGreaterThan(0.4);
      expect(busy.utilization).toBeLessThanOrEqual(1);
      expect(busy.delayMaxMs).toBeGreaterThanOrEqual(100);
      expect(busy.delayP99Ms).toBeLessThanOrEqual(busy.delayMaxMs);

      await sleep(150);
      const idle = meter.sample();
      expect(idle.utilization).toBeLessThan(busy.utilization);
      expect(idle.delayMaxMs).toBeLessThan(100);
    } finally {
      meter.stop();
    }
  });

  it("publishes the gauges through the broker's metrics while it runs", async () => {
    const broker = new ServiceBroker({
      logger: false,
      metrics: { enabled: true },
      middlewares: [eventLoopMetrics(20)],
    });
    await broker.start();
    try {
      block(60);
      await sleep(80);
      const value = (name: string) => broker.metrics.getMetric(name)?.get()?.value as number | undefined;
      expect(value(EVENT_LOOP_METRICS.utilization)).toBeGreaterThan(0);
      expect(value(EVENT_LOOP_METRICS.utilization)).toBeLessThanOrEqual(1);
      for (const name of [
        EVENT_LOOP_METRICS.delayP50,
        EVENT_LOOP_METRICS.delayP99,
        EVENT_LOOP_METRICS.delayMax,
      ])
        expect(typeof value(name)).toBe("number");
    } finally {
      await broker.stop();
    }
  });

  it("measures and publishes nothing when the broker's metrics are off", async () => {
    const broker = new ServiceBroker({ logger: false, middlewares: [eventLoopMetrics(20)] });
    const set = jest.spyOn(broker.metrics, "set");
    await broker.start();
    try {
      await sleep(60);
      expect(broker.isMetricsEnabled()).toBe(false);
      const ours = new Set<string>(Object.values(EVENT_LOOP_METRICS));
      expect(set.mock.calls.filter(([name]) => ours.has(name))).toEqual([]);
      for (const name of Object.values(EVENT_LOOP_METRICS))
        expect(broker.metrics.getMetric(name)).toBeFalsy();
    } finally {
      await broker.stop();
    }
  });
});
