import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { loadConfig } from "../../../shared/config/config";
import { createRedis } from "../../../shared/redis";
import { timerJobId } from "../../../shared/timers/timer-id";
import { createTimers, type FiredTimer, type Timers, timersPrefix } from "../../../shared/timers/timers";

const cfg = loadConfig();
const warnings: unknown[][] = [];
const quietLogger = { warn: (...args: unknown[]) => warnings.push(args), error: console.error };
const timersToStop: Timers[] = [];
const queuesToClose: Queue[] = [];
const redis: Redis = createRedis(cfg);
let queueSeq = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

function newQueueName(): string {
  queueSeq += 1;
  return `timers-spec-${queueSeq}`;
}

function makeTimers(queueName: string): Timers {
  const timers = createTimers(cfg, queueName, { logger: quietLogger, attempts: 3, backoffMs: 50 });
  timersToStop.push(timers);
  return timers;
}

// A plain BullMQ view of the same queue, to count what is really stored in Redis.
function inspect(queueName: string): Queue {
  const queue = new Queue(queueName, { connection: redis, prefix: timersPrefix(cfg) });
  queuesToClose.push(queue);
  return queue;
}

afterAll(async () => {
  await Promise.all(timersToStop.map((timers) => timers.stop()));
  await Promise.all(queuesToClose.map((queue) => queue.close()));
  await redis.quit();
});

describe("Timers", () => {
  it("keeps one job when the same timer is scheduled twice", async () => {
    const queueName = newQueueName();
    const timers = makeTimers(queueName);
    expect(await timers.schedule("payment-timeout", "O1", 5000, { attempt: 1 })).toBe(true);
    expect(await timers.schedule("payment-timeout", "O1", 9000, { attempt: 2 })).toBe(false);

    const queue = inspect(queueName);
    expect(await queue.getDelayedCount()).toBe(1);
    const job = await queue.getJob("payment-timeout.O1");
    expect(job?.data).toEqual({ key: "O1", data: { attempt: 1 } });
    expect(await timers.isScheduled("payment-timeout", "O1")).toBe(true);
  });

  it("fires the handler once after the delay with the data, then frees the id", async () => {
    const queueName = newQueueName();
    const timers = makeTimers(queueName);
    const fired: FiredTimer<{ orderNo: string }>[] = [];
    timers.handle<{ orderNo: string }>("auto-confirm", async (timer) => {
      fired.push(timer);
    });
    await timers.start();
    const scheduledAt = Date.now();
    await timers.schedule("auto-confirm", "O2", 200, { orderNo: "O2" });

    await waitFor(() => fired.length > 0);
    await sleep(200);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ kind: "auto-confirm", key: "O2", data: { orderNo: "O2" } });
    expect(fired[0]!.firedAt.getTime() - scheduledAt).toBeGreaterThanOrEqual(195);
    expect(await inspect(queueName).getJob("auto-confirm.O2")).toBeUndefined();
    expect(await timers.schedule("auto-confirm", "O2", 5000, { orderNo: "O2" })).toBe(true);
  });

  it("arms many timers at once in bulk, each once, and fires every one", async () => {
    const queueName = newQueueName();
    const timers = makeTimers(queueName);
    const fired: string[] = [];
    timers.handle<{ orderNo: string }>("payment-timeout", async (timer) => {
      fired.push(timer.data.orderNo);
    });
    const keys = Array.from({ length: 50 }, (_x, i) => `B${i}`);
    await Promise.all(keys.map((key) => timers.arm("payment-timeout", key, 300, { orderNo: key })));
    // A second arm of a pending id changes nothing.
    await timers.arm("payment-timeout", "B0", 5000, { orderNo: "again" });
    expect(await inspect(queueName).getDelayedCount()).toBe(50);

    await timers.start();
    await waitFor(() => fired.length === 50);
    await sleep(200);
    expect(fired.sort()).toEqual([...keys].sort());
  });

  it("cancels a pending timer so the handler never fires", async () => {
    const timers = makeTimers(newQueueName());
    let calls = 0;
    timers.handle("payment-timeout", async () => {
      calls += 1;
    });
    await timers.start();
    await timers.schedule("payment-timeout", "O3", 200, {});

    expect(await timers.cancel("payment-timeout", "O3")).toBe(true);
    expect(await timers.cancel("payment-timeout", "O3")).toBe(false);
    expect(await timers.isScheduled("payment-timeout", "O3")).toBe(false);
    await sleep(400);
    expect(calls).toBe(0);
  });

  it("cancels many timers at once in a few round trips, not two per timer", async () => {
    const queueName = newQueueName();
    const timers = makeTimers(queueName);
    const keys = Array.from({ length: 40 }, (_x, i) => `C${i}`);
    await Promise.all(keys.map((key) => timers.arm("payment-timeout", key, 60_000, {})));
    const readsProcessed = async () =>
      Number(/total_reads_processed:(\d+)/.exec(await redis.info("stats"))?.[1]);

    const before = await readsProcessed();
    const cancelled = await Promise.all(keys.map((key) => timers.cancel("payment-timeout", key)));
    // Each timer is a state read and a removal; 40 timers one by one would be 80 reads by the server.
    expect((await readsProcessed()) - before).toBeLessThan(10);
    expect(cancelled.every(Boolean)).toBe(true);
    expect(await inspect(queueName).getDelayedCount()).toBe(0);
  });
  it("reschedules a pending timer to a later time with new data", async () => {
    const queueName = newQueueName();
    const timers = makeTimers(queueName);
    const fired: { at: number; data: unknown }[] = [];
    timers.handle("payment-timeout", async ({ data }) => {
      fired.push({ at: Date.now(), data });
    });
    await timers.start();
    const scheduledAt = Date.now();
    await timers.schedule("payment-timeout", "O4", 150, { version: 1 });
    await timers.reschedule("payment-timeout", "O4", new Date(scheduledAt + 450), { version: 2 });

    expect(await inspect(queueName).getDelayedCount()).toBe(1);
    await sleep(300);
    expect(fired).toHaveLength(0);
    await waitFor(() => fired.length > 0);
    await sleep(100);
    expect(fired).toEqual([{ at: expect.any(Number), data: { version: 2 } }]);
    expect(fired[0]!.at - scheduledAt).toBeGreaterThanOrEqual(445);
  });

  it("retries a failing handler with growing backoff until it succeeds", async () => {
    const queueName = newQueueName();
    const timers = makeTimers(queueName);
    const attempts: number[] = [];
    timers.handle("reminder", async () => {
      attempts.push(Date.now());
      if (attempts.length < 3) throw new Error("downstream not ready");
    });
    await timers.start();
    await timers.schedule("reminder", "O5", 100, {});

    await waitFor(() => attempts.length === 3);
    await sleep(150);
    expect(attempts).toHaveLength(3);
    const [first, second, third] = attempts as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(45);
    expect(third - second).toBeGreaterThanOrEqual(95);
    expect(await inspect(queueName).getJob("reminder.O5")).toBeUndefined();
    expect(warnings.some((args) => String(args[0]).includes("reminder.O5"))).toBe(true);
  });

  it("re-arms the same timer when the handler returns rearmAt", async () => {
    const timers = makeTimers(newQueueName());
    const fired: number[] = [];
    timers.handle("reminder", async () => {
      fired.push(Date.now());
      return fired.length === 1 ? { rearmAt: 150 } : undefined;
    });
    await timers.start();
    await timers.schedule("reminder", "O6", 100, {});

    await waitFor(() => fired.length === 2);
    await sleep(250);
    expect(fired).toHaveLength(2);
    expect(fired[1]! - fired[0]!).toBeGreaterThanOrEqual(145);
    expect(await timers.isScheduled("reminder", "O6")).toBe(false);
  });

  it("fires a timer scheduled before a restart on the new instance", async () => {
    const queueName = newQueueName();
    const before = makeTimers(queueName);
    let firedBefore = 0;
    before.handle("payment-timeout", async () => {
      firedBefore += 1;
    });
    await before.start();
    await before.schedule("payment-timeout", "O7", 300, { orderNo: "O7" });
    await before.stop();

    const after = makeTimers(queueName);
    const fired: unknown[] = [];
    after.handle("payment-timeout", async ({ data }) => {
      fired.push(data);
    });
    await after.start();
    await waitFor(() => fired.length > 0);
    expect(fired).toEqual([{ orderNo: "O7" }]);
    expect(firedBefore).toBe(0);
  });

  it("runs a sweeper every interval once in total across two instances", async () => {
    const queueName = newQueueName();
    const ticks: number[] = [];
    const pods = [makeTimers(queueName), makeTimers(queueName)];
    for (const pod of pods) {
      await pod.every("overdue-orders", 200, async () => {
        ticks.push(Date.now());
      });
      await pod.start();
    }

    await sleep(1100);
    await Promise.all(pods.map((pod) => pod.stop()));
    // One tick per 200 ms slot is about 6 in 1.1 s; one per pod would be about 12.
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(7);
    const sorted = [...ticks].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((tick, i) => tick - sorted[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(150);
  });

  it("turns a sweeper off with an interval of 0, also for the pods that still run it", async () => {
    const queueName = newQueueName();
    const ticks: number[] = [];
    const running = makeTimers(queueName);
    await running.every("stock-check", 100, async () => {
      ticks.push(Date.now());
    });
    await running.start();
    await waitFor(() => ticks.length > 0);
    // A pod deployed with the sweeper turned off removes it for everyone.
    await makeTimers(queueName).every("stock-check", 0, async () => {
      throw new Error("a turned-off sweeper never runs");
    });
    expect(await inspect(queueName).getJobSchedulersCount()).toBe(0);
    const seen = ticks.length;
    await sleep(400);
    expect(ticks.length).toBeLessThanOrEqual(seen + 1);
  });

  it("stops only after the running handler has finished", async () => {
    const timers = makeTimers(newQueueName());
    let started = false;
    let finished = false;
    timers.handle("auto-confirm", async () => {
      started = true;
      await sleep(300);
      finished = true;
    });
    await timers.start();
    await timers.schedule("auto-confirm", "O8", 0, {});
    await waitFor(() => started);

    await timers.stop();
    expect(finished).toBe(true);
  });

  it("derives ids BullMQ accepts and rejects keys it would not", () => {
    expect(timerJobId("payment-timeout", "2025112600001")).toBe("payment-timeout.2025112600001");
    expect(() => timerJobId("payment-timeout", "a:b")).toThrow("no ':'");
    expect(() => timerJobId("Payment.Timeout", "O9")).toThrow("kebab-case");
  });
});
