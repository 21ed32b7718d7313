import { withStatsChannels } from "../../../services/order/stats/order-stats.mixin";
import { STATS_BATCH_MAX } from "../../../services/order/stats/stats-events";
import { newEvent } from "../../../shared/outbox/outbox";

/** A pool that logs the event ids of each statement and counts every event as done. */
function batchLoggingPool(batches: string[][]) {
  return {
    query: async (_sql: string, params: unknown[] = []) => {
      const eventIds = params[2] as string[];
      batches.push(eventIds);
      return { rowCount: eventIds.length, rows: eventIds.map((_id, i) => ({ ord: i + 1 })) };
    },
  };
}

describe("the statistics' batching channels", () => {
  const channels = withStatsChannels({});
  const deliver = (pool: object, channel: string, eventId: string) =>
    channels[channel]!.handler.call(
      { pool } as any,
      { ...newEvent(channel, { orderNo: "O1" }), eventId },
      {} as any,
    );

  it("lets enough deliveries in flight for batches to form on order.placed and order.paid only", () => {
    expect(STATS_BATCH_MAX).toBeGreaterThanOrEqual(32);
    expect(channels["order.placed"]!.maxInFlight).toBe(STATS_BATCH_MAX);
    expect(channels["order.paid"]!.maxInFlight).toBe(STATS_BATCH_MAX);
    for (const other of ["order.closed", "order.shipped", "order.completed", "refund.succeeded"])
      expect(channels[other]!.maxInFlight).toBeUndefined();
  });

  it("counts the deliveries of one turn in one statement and those that arrive meanwhile in the next", async () => {
    const batches: string[][] = [];
    const pool = batchLoggingPool(batches);
    const first = ["e1", "e2"].map((id) => deliver(pool, "order.placed", id));
    await new Promise((resolve) => setImmediate(resolve));
    const meanwhile = ["e3", "e4"].map((id) => deliver(pool, "order.placed", id));
    await Promise.all([...first, ...meanwhile]);
    expect(batches).toEqual([
      ["e1", "e2"],
      ["e3", "e4"],
    ]);
  });

  it("never puts more than the batch maximum in one statement", async () => {
    const batches: string[][] = [];
    const pool = batchLoggingPool(batches);
    const ids = Array.from({ length: 2 * STATS_BATCH_MAX + 1 }, (_x, i) => `e${i}`);
    await Promise.all(ids.map((id) => deliver(pool, "order.paid", id)));
    expect(batches.map((b) => b.length)).toEqual([STATS_BATCH_MAX, STATS_BATCH_MAX, 1]);
    expect(batches.flat()).toEqual(ids);
  });

  it("batches each service instance's deliveries apart, by its pool", async () => {
    const [mine, theirs]: string[][][] = [[], []];
    const pools = [batchLoggingPool(mine!), batchLoggingPool(theirs!)];
    await Promise.all(["a", "b", "c", "d"].map((id, i) => deliver(pools[i % 2]!, "order.paid", id)));
    expect(mine).toEqual([["a", "c"]]);
    expect(theirs).toEqual([["b", "d"]]);
  });
});
