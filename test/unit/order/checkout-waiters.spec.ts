import {
  CheckoutWaiters,
  LONG_POLL_MARGIN_MS,
  longPollWaitMs,
  type WaitOutcome,
} from "../../../services/order/checkout-waiters";

/** The outcome if the wait has ended by now, else "waiting". */
async function state(done: Promise<WaitOutcome>): Promise<WaitOutcome | "waiting"> {
  return Promise.race([done, Promise.resolve("waiting" as const)]);
}

describe("CheckoutWaiters", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("resolves every wait on the checkout when it is notified, and no other", async () => {
    const waiters = new CheckoutWaiters();
    const a1 = waiters.register("1001", 5_000);
    const a2 = waiters.register("1001", 5_000);
    const b = waiters.register("2002", 5_000);
    expect(waiters.size).toBe(3);
    expect(waiters.waitingOn("1001")).toBe(2);

    expect(waiters.notify("1001")).toBe(2);

    expect(await a1.done).toBe("notified");
    expect(await a2.done).toBe("notified");
    expect(await state(b.done)).toBe("waiting");
    expect(waiters.waitingOn("1001")).toBe(0);
    expect(waiters.size).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
  });

  it("resolves a wait as timeout when its time runs out, not before", async () => {
    const waiters = new CheckoutWaiters();
    const wait = waiters.register("1001", 3_000);
    jest.advanceTimersByTime(2_999);
    expect(await state(wait.done)).toBe("waiting");
    jest.advanceTimersByTime(1);
    expect(await wait.done).toBe("timeout");
    expect(waiters.size).toBe(0);
    expect(waiters.notify("1001")).toBe(0);
  });

  it("clears the timer when notified, cancelled or stopped", async () => {
    const waiters = new CheckoutWaiters();
    const notified = waiters.register("1001", 5_000);
    const cancelled = waiters.register("2002", 5_000);
    const stopped = waiters.register("3003", 5_000);
    expect(jest.getTimerCount()).toBe(3);

    waiters.notify("1001");
    cancelled.cancel();
    waiters.cancelAll();

    expect(jest.getTimerCount()).toBe(0);
    expect(waiters.size).toBe(0);
    expect(await notified.done).toBe("notified");
    expect(await cancelled.done).toBe("cancelled");
    expect(await stopped.done).toBe("cancelled");
  });

  it("keeps the first outcome: a cancel or notify after the end changes nothing", async () => {
    const waiters = new CheckoutWaiters();
    const wait = waiters.register("1001", 1_000);
    const other = waiters.register("1001", 1_000);
    jest.advanceTimersByTime(1_000);
    wait.cancel();
    expect(waiters.notify("1001")).toBe(0);
    expect(await wait.done).toBe("timeout");
    expect(await other.done).toBe("timeout");
    expect(waiters.size).toBe(0);
  });

  it("cancelling one wait leaves the others on the same checkout waiting", async () => {
    const waiters = new CheckoutWaiters();
    const leaving = waiters.register("1001", 5_000);
    const staying = waiters.register("1001", 5_000);
    leaving.cancel();
    expect(await leaving.done).toBe("cancelled");
    expect(await state(staying.done)).toBe("waiting");
    expect(waiters.notify("1001")).toBe(1);
    expect(await staying.done).toBe("notified");
  });

  it("holds no more than its bound: past it a wait ends at once as full, without a timer", async () => {
    const waiters = new CheckoutWaiters(3);
    const held = ["1", "2", "3"].map((no) => waiters.register(no, 5_000));
    const refused = waiters.register("4", 5_000);
    expect(await refused.done).toBe("full");
    expect(waiters.size).toBe(3);
    expect(jest.getTimerCount()).toBe(3);

    held[0]!.cancel();
    const admitted = waiters.register("4", 5_000);
    expect(await state(admitted.done)).toBe("waiting");
    expect(waiters.size).toBe(3);
  });

  it("frees every slot of a flood of waits that all time out", async () => {
    const waiters = new CheckoutWaiters(100);
    const waits = Array.from({ length: 250 }, (_x, i) => waiters.register(String(i % 7), 1_000));
    expect(waiters.size).toBe(100);
    jest.advanceTimersByTime(1_000);
    const outcomes = await Promise.all(waits.map((w) => w.done));
    expect(outcomes.filter((o) => o === "timeout")).toHaveLength(100);
    expect(outcomes.filter((o) => o === "full")).toHaveLength(150);
    expect(waiters.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    expect(await state(waiters.register("1", 1_000).done)).toBe("waiting");
  });

  it("ends a wait of no time at once", async () => {
    const waiters = new CheckoutWaiters();
    expect(await waiters.register("1001", 0).done).toBe("timeout");
    expect(waiters.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe("longPollWaitMs", () => {
  it("waits what was asked when the caller's timeout leaves room", () => {
    expect(longPollWaitMs(5_000, 10_000)).toBe(5_000);
  });

  it("stops short of the caller's timeout by the margin", () => {
    expect(longPollWaitMs(10_000, 10_000)).toBe(10_000 - LONG_POLL_MARGIN_MS);
    expect(longPollWaitMs(10_000, 3_000)).toBe(3_000 - LONG_POLL_MARGIN_MS);
  });

  it("does not wait when the caller's timeout leaves no room", () => {
    expect(longPollWaitMs(5_000, LONG_POLL_MARGIN_MS)).toBe(0);
    expect(longPollWaitMs(5_000, 200)).toBe(0);
  });

  it("waits what was asked when the caller set no timeout", () => {
    expect(longPollWaitMs(7_000, 0)).toBe(7_000);
    expect(longPollWaitMs(7_000, undefined)).toBe(7_000);
  });
});
