import fc from "fast-check";
import type { Pool } from "pg";
import { STATS_CONSUMERS } from "../../../services/order/stats/stats-events";
import {
  recordPaid,
  recordPaidBatch,
  recordPlacedBatch,
  type StatsEvent,
} from "../../../services/order/stats/stats-write.repo";
import { newEvent } from "../../../shared/outbox/outbox";
import { insertOrder, type TestOrder } from "../../support/order-rows";
import { openOrderSchema, resetStats, statsSnapshot, testOrders } from "./stats-batch-fixture";

type Kind = "placed" | "paid";

/** An event of the test: what it says, about which order, under which event id. */
interface Counted {
  kind: Kind;
  orderNo: string;
  eventId: string;
}

const COUNT = { placed: recordPlacedBatch, paid: recordPaidBatch };
const GROUP = { placed: "order-stats-placed", paid: "order-stats-paid" };
const CHANNEL = { placed: "order.placed", paid: "order.paid" };
const statsEvent = (e: Counted): StatsEvent => ({
  orderNo: e.orderNo,
  once: { consumer: GROUP[e.kind], eventId: e.eventId },
});

/** Counts each event in its own statement, in order; whether each counted. */
async function oneByOne(pool: Pool, events: Counted[]): Promise<boolean[]> {
  const counted: boolean[] = [];
  for (const e of events) counted.push(...(await COUNT[e.kind](pool, [statsEvent(e)])));
  return counted;
}

/** Counts the events in batches of `sizes` (the rest in one): each batch's placed, then its paid events. */
async function inBatches(pool: Pool, events: Counted[], sizes: number[] = []): Promise<boolean[]> {
  const counted: boolean[] = [];
  for (let start = 0, b = 0; start < events.length; b++) {
    const batch = events.slice(start, start + (sizes[b] ?? events.length));
    start += batch.length;
    const results = new Map<Counted, boolean>();
    for (const kind of ["placed", "paid"] as const) {
      const mine = batch.filter((e) => e.kind === kind);
      const flags = await COUNT[kind](pool, mine.map(statsEvent));
      for (const [i, e] of mine.entries()) results.set(e, flags[i]!);
    }
    counted.push(...batch.map((e) => results.get(e)!));
  }
  return counted;
}

/** The Asia/Shanghai day of an instant, as YYYY-MM-DD. */
const shanghaiDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);

/** stats_daily's placed and paid counters computed from the orders themselves. */
function expectedDaily(orders: TestOrder[]) {
  const rows = new Map<
    string,
    { orders: number; paid_orders: number; gmv_minor: number; cohort_paid: number }
  >();
  const row = (shopId: string, day: string) => {
    const key = `${shopId} ${day}`;
    if (!rows.has(key)) rows.set(key, { orders: 0, paid_orders: 0, gmv_minor: 0, cohort_paid: 0 });
    return rows.get(key)!;
  };
  for (const o of orders) {
    row(o.shopId, shanghaiDay(o.createdAt)).orders += 1;
    if (!o.paidAt) continue;
    row(o.shopId, shanghaiDay(o.createdAt)).cohort_paid += 1;
    const paidDay = row(o.shopId, shanghaiDay(o.paidAt));
    paidDay.paid_orders += 1;
    paidDay.gmv_minor += o.amountMinor;
  }
  return Object.fromEntries([...rows].sort(([a], [b]) => a.localeCompare(b)));
}

describe("statistics counted in batches", () => {
  let pool: Pool;
  let orders: TestOrder[];
  const placed = (o: TestOrder, eventId = `placed-${o.orderNo}`): Counted => ({
    kind: "placed",
    orderNo: o.orderNo,
    eventId,
  });
  const paid = (o: TestOrder, eventId = `paid-${o.orderNo}`): Counted => ({
    kind: "paid",
    orderNo: o.orderNo,
    eventId,
  });
  const everyEvent = () => [...orders.map((o) => placed(o)), ...orders.map((o) => paid(o))];

  /** The statistics and per-event results of counting `events` from nothing with `count`. */
  async function fromScratch(
    events: Counted[],
    count: (pool: Pool, events: Counted[]) => Promise<boolean[]>,
  ) {
    await resetStats(pool);
    const counted = await count(pool, events);
    return { counted, stats: await statsSnapshot(pool) };
  }

  beforeAll(async () => {
    pool = await openOrderSchema("stats_batch");
    orders = testOrders("sb", 24);
    for (const o of orders) await insertOrder(pool, o);
  });
  afterAll(() => pool.end());

  it("counts a batch over several shops, days, SKUs and buyers exactly as one event at a time", async () => {
    const events = everyEvent();
    const single = await fromScratch(events, oneByOne);
    const batched = await fromScratch(events, inBatches);
    expect(batched).toEqual(single);
    const paidOrders = new Set(orders.filter((o) => o.paidAt).map((o) => o.orderNo));
    expect(batched.counted).toEqual(events.map((e) => e.kind === "placed" || paidOrders.has(e.orderNo)));
    const { rows } = await pool.query(
      "SELECT shop_id, day::text, orders, paid_orders, gmv_minor, cohort_paid FROM stats_daily ORDER BY 1, 2",
    );
    const daily = Object.fromEntries(
      rows.map(({ shop_id, day, ...counters }) => [`${shop_id} ${day}`, counters]),
    );
    expect(daily).toEqual(expectedDaily(orders));
    expect(Object.keys(daily).length).toBeGreaterThan(6);
    expect(batched.stats.stats_daily_sku!.length).toBeGreaterThan(6);
    expect(batched.stats.stats_buyer_first_paid!.length).toBeGreaterThan(5);
  });

  it("counts an event id that appears twice in one batch once", async () => {
    const [a, b] = orders;
    const twice = await fromScratch([placed(a!), placed(b!), placed(a!), paid(a!), paid(a!)], inBatches);
    expect(twice.counted).toEqual([true, true, false, true, false]);
    expect(twice.stats).toEqual((await fromScratch([placed(a!), placed(b!), paid(a!)], inBatches)).stats);
  });

  it("counts an order's two events with different ids twice, as one event at a time would", async () => {
    const [a] = orders;
    const events = [placed(a!, "first"), placed(a!, "second"), paid(a!, "first"), paid(a!, "second")];
    const batched = await fromScratch(events, inBatches);
    expect(batched.counted).toEqual([true, true, true, true]);
    expect(batched).toEqual(await fromScratch(events, oneByOne));
    const { rows } = await pool.query(
      "SELECT sum(orders)::int AS n, sum(paid_orders)::int AS p FROM stats_daily",
    );
    expect(rows[0]).toEqual({ n: 2, p: 2 });
  });

  it("changes nothing when a batch is delivered again", async () => {
    const events = everyEvent();
    const first = await fromScratch(events, inBatches);
    expect(await inBatches(pool, events)).toEqual(events.map(() => false));
    expect(await statsSnapshot(pool)).toEqual(first.stats);
  });

  it("counts the other events of a batch whose order is missing or not paid", async () => {
    const unpaid = orders.find((o) => !o.paidAt)!;
    const [a, b] = orders.filter((o) => o.paidAt);
    const missing = "sb-missing";
    const events: Counted[] = [
      paid(a!),
      { kind: "paid", orderNo: missing, eventId: "paid-missing" },
      paid(unpaid),
      paid(b!),
      { kind: "placed", orderNo: missing, eventId: "placed-missing" },
      placed(unpaid),
    ];
    const batched = await fromScratch(events, inBatches);
    expect(batched.counted).toEqual([true, false, false, true, false, true]);
    expect(batched).toEqual(await fromScratch(events, oneByOne));
    // The events that counted nothing are recorded all the same, as one at a time: a redelivery counts nothing.
    expect(batched.stats.inbox).toHaveLength(6);
    const { inbox: _, ...counters } = batched.stats;
    const { inbox: __, ...countedAlone } = (
      await fromScratch([paid(a!), paid(b!), placed(unpaid)], inBatches)
    ).stats;
    expect(counters).toEqual(countedAlone);
  });

  it("counts a paid event on its own for the out-of-stock close (a batch of one)", async () => {
    const [a] = orders.filter((o) => o.paidAt);
    await resetStats(pool);
    expect(await recordPaid(pool, a!.orderNo, { consumer: "order-stats-closed", eventId: "c1" })).toBe(true);
    expect(await recordPaid(pool, a!.orderNo, { consumer: "order-stats-closed", eventId: "c1" })).toBe(false);
    const { rows } = await pool.query(
      "SELECT sum(paid_orders)::int AS n, sum(gmv_minor)::int AS g FROM stats_daily",
    );
    expect(rows[0]).toEqual({ n: 1, g: a!.amountMinor });
  });

  it("gives the same statistics in batches as one at a time for any events, duplicates and missing orders", async () => {
    const n = orders.length;
    // Event k is about order k mod (n + 1), the last one missing: two ids can name one order.
    const arbEvent = fc.record({ paid: fc.boolean(), k: fc.nat(2 * n + 1) }).map(
      ({ paid: isPaid, k }): Counted => ({
        kind: isPaid ? "paid" : "placed",
        orderNo: orders[k % (n + 1)]?.orderNo ?? "sb-missing",
        eventId: `e${k}`,
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbEvent, { maxLength: 50 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 8 }),
        async (events, sizes) => {
          const single = await fromScratch(events, oneByOne);
          expect(await fromScratch(events, (p, es) => inBatches(p, es, sizes))).toEqual(single);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("counts concurrent batches over the same rows without deadlock or lost counts", async () => {
    const events = everyEvent();
    const single = await fromScratch(events, oneByOne);
    await resetStats(pool);
    // Four batches at once, each with every event in another order, under event ids of its own.
    const rotate = <T>(xs: T[], k: number) => [...xs.slice(k), ...xs.slice(0, k)];
    const rounds = ["w", "x", "y", "z"].map((tag, r) => {
      const round = events.map((e) => ({ ...e, eventId: `${tag}-${e.eventId}` }));
      return r % 2 ? rotate(round, r * 7).reverse() : rotate(round, r * 7);
    });
    await Promise.all(rounds.map((round) => inBatches(pool, round)));
    const { rows } = await pool.query(
      "SELECT sum(orders)::int AS n, sum(paid_orders)::int AS p FROM stats_daily",
    );
    expect(rows[0]).toEqual({ n: 4 * orders.length, p: 4 * orders.filter((o) => o.paidAt).length });
    const { rows: users } = await pool.query("SELECT * FROM stats_daily_user ORDER BY 1, 2, 3");
    expect(users).toEqual(single.stats.stats_daily_user);
  });

  it("counts concurrent deliveries to the consumers in one statement per batch, batching per pool", async () => {
    const events = everyEvent();
    const single = await fromScratch(events, oneByOne);
    await resetStats(pool);
    // Two service instances' pools (the consumers keep a coalescer per pool), logging their statements.
    const logged = (statements: string[]) =>
      ({
        query: (sql: string, params: unknown[]) => {
          statements.push(sql);
          return pool.query(sql, params);
        },
      }) as unknown as Pool;
    const [first, second]: string[][] = [[], []];
    const pools = [logged(first!), logged(second!)];
    await Promise.all(
      events.map((e, i) =>
        STATS_CONSUMERS[CHANNEL[e.kind]]!.handle(pools[i % 2]!, {
          ...newEvent(CHANNEL[e.kind], { orderNo: e.orderNo }),
          eventId: e.eventId,
        }),
      ),
    );
    // The two pools' batches interleave, so a SKU's latest title is either pool's; every count is the same.
    const withoutTitles = ({ stats_sku, ...rest }: Record<string, unknown[]>) => ({
      ...rest,
      stats_sku: stats_sku!.map((r: any) => r.sku_id),
    });
    expect(withoutTitles(await statsSnapshot(pool))).toEqual(withoutTitles(single.stats));
    // Per pool and consumer: the 12 deliveries of the same event-loop turn in one statement.
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(2);
  });
});
