import type Redis from "ioredis";
import { loadConfig } from "../../../shared/config/config";
import {
  OrderNumberGenerator,
  type OrderNumberGeneratorOptions,
  orderCounterKey,
} from "../../../shared/order-number/counter-blocks";
import {
  OrderNumberCodec,
  parseOrderNumber,
  SEQUENCE_CAPACITY,
} from "../../../shared/order-number/order-number";
import { createRedis } from "../../../shared/redis";

const cfg = loadConfig();
const codec = new OrderNumberCodec("integration-test-order-number-secret");
const NOON_IN_SHANGHAI = new Date("2026-11-26T04:00:00Z");
const REQUEST = { channel: "APP", type: "STANDARD", userId: "10004821" } as const;
const connections: Redis[] = [];
let prefixes = 0;

function connect(): Redis {
  const redis = createRedis(cfg);
  connections.push(redis);
  return redis;
}

/** A key prefix of this test's own under the run's prefix, which the global teardown deletes. */
function testPrefix(): string {
  prefixes += 1;
  return `${cfg.redisPrefix}ordno-test:${prefixes}:`;
}

/** A generator with a connection of its own, as each pod has. */
function generator(
  redisPrefix: string,
  extra: Partial<OrderNumberGeneratorOptions> = {},
): OrderNumberGenerator {
  return new OrderNumberGenerator({
    redis: connect(),
    redisPrefix,
    codec,
    now: () => NOON_IN_SHANGHAI,
    ...extra,
  });
}

/** Takes `count` numbers with `callers` callers awaiting the generator at the same time. */
async function take(numbers: OrderNumberGenerator, count: number, callers: number): Promise<string[]> {
  const taken: string[] = [];
  let started = 0;
  const caller = async () => {
    while (started < count) {
      started += 1;
      taken.push(await numbers.next(REQUEST));
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  return taken;
}

const sequenceOf = (orderNo: string) => codec.decode(orderNo).sequence;
const ascending = (values: number[]) => [...values].sort((a, b) => a - b);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);
/** The first few places where `values` is not 0, 1, 2 ...: a short diff when a test fails (jest's would take minutes). */
const offCount = (values: number[]) =>
  values.flatMap((value, index) => (value === index ? [] : [{ index, value }])).slice(0, 5);

describe("OrderNumberGenerator", () => {
  let redis: Redis;

  beforeAll(() => {
    redis = connect();
  });

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.quit()));
  });

  it("hands out 200,000 unique numbers from 4 generators running at once", async () => {
    const prefix = testPrefix();
    const generators = Array.from({ length: 4 }, () => generator(prefix));
    const batches = await Promise.all(generators.map((numbers) => take(numbers, 50_000, 50)));
    const all = batches.flat();

    expect(all).toHaveLength(200_000);
    expect(new Set(all).size).toBe(200_000);
    expect(all.filter((orderNo) => !/^[1-9]\d{15,19}$/.test(orderNo)).slice(0, 5)).toEqual([]);
    // 200 blocks of 1000, each used by exactly one generator and none reserved in vain.
    expect(offCount(ascending(all.map(sequenceOf)))).toEqual([]);
    expect(await redis.get(orderCounterKey(prefix, "2026-11-26", "STANDARD"))).toBe("200000");
    const blocksPerGenerator = batches.map((batch) =>
      ascending([...new Set(batch.map((n) => Math.floor(sequenceOf(n) / 1000)))]),
    );
    const interleaved = blocksPerGenerator.some((blocks) => blocks.at(-1)! - blocks[0]! >= blocks.length);
    expect(interleaved).toBe(true);
  });

  it("reserves one block at a time however many callers find the block empty", async () => {
    const prefix = testPrefix();
    const numbers = generator(prefix);
    const all = await Promise.all(upTo(2500).map(() => numbers.next(REQUEST)));

    expect(await redis.get(orderCounterKey(prefix, "2026-11-26", "STANDARD"))).toBe("3000");
    expect(offCount(ascending(all.map(sequenceOf)))).toEqual([]);
  });

  it("never reuses values of another generator's block", async () => {
    const prefix = testPrefix();
    const first = await generator(prefix).next(REQUEST);
    const afterRestart = await generator(prefix).next(REQUEST);

    expect([sequenceOf(first), sequenceOf(afterRestart)]).toEqual([0, 1000]);
  });

  it("gives successive numbers sequence fields that neither step evenly nor stay close", async () => {
    const numbers = generator(testPrefix());
    const taken: string[] = [];
    for (let i = 0; i < 10_000; i++) taken.push(await numbers.next(REQUEST));

    const fields = taken.map((orderNo) => parseOrderNumber(orderNo).permutedSequence);
    const steps = fields.slice(1).map((field, i) => field - fields[i]!);
    expect(steps.filter((step) => Math.abs(step) < 1000).length).toBeLessThan(100);
    expect(new Set(steps).size).toBeGreaterThan(9000);
    expect(offCount(taken.map(sequenceOf))).toEqual([]);
  });

  it("keeps one counter per Shanghai day and type, restarting at midnight, with an expiry", async () => {
    const prefix = testPrefix();
    let now = new Date("2026-11-26T15:59:59Z");
    const numbers = generator(prefix, { now: () => now });

    const lastMinute = codec.decode(await numbers.next(REQUEST));
    now = new Date("2026-11-26T16:00:00Z");
    const nextDay = codec.decode(await numbers.next(REQUEST));
    const payment = codec.decode(await numbers.next({ ...REQUEST, type: "PAYMENT" }));

    expect(lastMinute).toEqual({
      channel: "APP",
      type: "STANDARD",
      date: "2026-11-26",
      userTail: "4821",
      sequence: 0,
    });
    expect(nextDay).toEqual({ ...lastMinute, date: "2026-11-27" });
    expect(payment).toEqual({ ...lastMinute, type: "PAYMENT", date: "2026-11-27" });
    const keys = [
      orderCounterKey(prefix, "2026-11-26", "STANDARD"),
      orderCounterKey(prefix, "2026-11-27", "STANDARD"),
      orderCounterKey(prefix, "2026-11-27", "PAYMENT"),
    ];
    expect(keys[0]).toBe(`${prefix}order-no:2026-11-26:1`);
    for (const key of keys) {
      expect(await redis.get(key)).toBe("1000");
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(2 * 86_400);
      expect(ttl).toBeLessThanOrEqual(3 * 86_400);
    }
  });

  it("hands out the last values of a day's range and then refuses with a clear error", async () => {
    const prefix = testPrefix();
    await redis.set(orderCounterKey(prefix, "2026-11-26", "STANDARD"), SEQUENCE_CAPACITY - 3);
    const numbers = generator(prefix);

    const last = [await numbers.next(REQUEST), await numbers.next(REQUEST), await numbers.next(REQUEST)];
    expect(last.map(sequenceOf)).toEqual([
      SEQUENCE_CAPACITY - 3,
      SEQUENCE_CAPACITY - 2,
      SEQUENCE_CAPACITY - 1,
    ]);
    await expect(numbers.next(REQUEST)).rejects.toMatchObject({
      type: "SERVICE_UNAVAILABLE",
      message: expect.stringMatching(/range of type STANDARD for 2026-11-26 is exhausted/),
    });
    expect(sequenceOf(await numbers.next({ ...REQUEST, type: "REFUND" }))).toBe(0);
  });
});
