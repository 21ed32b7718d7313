import {
  PricingConfigCache,
  type PricingConfigSource,
} from "../../../services/promotion/cache/pricing-config";
import { TtlMap, TtlValue } from "../../../services/promotion/cache/ttl-cache";
import type { Campaign, MemberBenefit } from "../../../services/promotion/domain/promotion.types";
import { campaign, NOW } from "./fixtures";

const HOUR = 3_600_000;

/** A promise settled from outside, to hold a load open while the test writes. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A fake clock starting at NOW. */
function clock() {
  let now = NOW.getTime();
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("TtlValue", () => {
  it("loads once within the TTL and again after it", async () => {
    const time = clock();
    let loads = 0;
    const value = new TtlValue(async () => ++loads, 5_000, time.now);
    expect(await value.get()).toBe(1);
    time.advance(4_999);
    expect(await value.get()).toBe(1);
    time.advance(1);
    expect(await value.get()).toBe(2);
  });

  it("shares one load between concurrent misses", async () => {
    let loads = 0;
    const value = new TtlValue(async () => ++loads, 5_000);
    expect(await Promise.all([value.get(), value.get(), value.get()])).toEqual([1, 1, 1]);
    expect(loads).toBe(1);
  });

  it("never keeps a load that was running when the value was forgotten", async () => {
    const first = deferred<string>();
    const loads = [first.promise, Promise.resolve("after the write")];
    const value = new TtlValue(() => loads.shift() as Promise<string>, 5_000);
    const before = value.get();
    value.forget();
    const after = value.get();
    first.resolve("before the write");
    expect(await before).toBe("before the write");
    expect(await after).toBe("after the write");
    expect(await value.get()).toBe("after the write");
  });

  it("does not keep a failed load", async () => {
    let calls = 0;
    const value = new TtlValue(async () => {
      if (++calls === 1) throw new Error("database away");
      return calls;
    }, 5_000);
    await expect(value.get()).rejects.toThrow("database away");
    expect(await value.get()).toBe(2);
  });
});

describe("TtlMap", () => {
  it("loads only the keys missing and remembers absent ones", async () => {
    const asked: string[][] = [];
    const map = new TtlMap<number>(async (keys) => {
      asked.push(keys);
      return new Map(keys.filter((k) => k !== "none").map((k) => [k, k.length]));
    }, 5_000);
    expect(await map.get(["a", "none"])).toEqual(new Map([["a", 1]]));
    expect(await map.get(["a", "none", "bb"])).toEqual(
      new Map([
        ["a", 1],
        ["bb", 2],
      ]),
    );
    expect(asked).toEqual([["a", "none"], ["bb"]]);
  });

  it("reloads a forgotten key and drops a batch that ran across the write", async () => {
    const held = deferred<Map<string, string>>();
    const answers = [held.promise, Promise.resolve(new Map([["S1", "new"]]))];
    const map = new TtlMap<string>(() => answers.shift() as Promise<Map<string, string>>, 5_000);
    const before = map.get(["S1"]);
    map.forget("S1");
    held.resolve(new Map([["S1", "old"]]));
    expect((await before).get("S1")).toBe("old");
    expect((await map.get(["S1"])).get("S1")).toBe("new");
  });
});

describe("PricingConfigCache", () => {
  const tiers: MemberBenefit[] = [{ tier: "NORMAL", percent: 100, stacksWithItemPromotion: false }];
  const campaigns: Campaign[] = [
    campaign("PLAT", { kind: "PERCENT_OFF", percentOff: 5 }),
    campaign("S1-A", { kind: "PERCENT_OFF", percentOff: 10, shopId: "S1" }),
    campaign("S2-A", { kind: "PERCENT_OFF", percentOff: 10, shopId: "S2" }),
    campaign("S1-LATER", {
      kind: "PERCENT_OFF",
      percentOff: 10,
      shopId: "S1",
      startsAt: new Date(NOW.getTime() + 2 * HOUR),
      endsAt: new Date(NOW.getTime() + 3 * HOUR),
    }),
  ];
  const source = (over: Partial<PricingConfigSource> = {}): PricingConfigSource => ({
    campaignsEndingAfter: async (horizon) => campaigns.filter((c) => c.endsAt > horizon),
    campaignsActiveAt: async () => [campaign("FROM-TABLE", { kind: "PERCENT_OFF", percentOff: 1 })],
    tiers: async () => tiers.map((t) => ({ ...t })),
    coinsPolicy: async () => ({ coinsPerYuan: 100, capPercent: 50 }),
    shippingRules: async () => ({}),
    ...over,
  });
  const ids = (list: Campaign[]) => list.map((c) => c.campaignId).sort();

  it("keeps the campaigns running at `at` that reach the cart's shops", async () => {
    const cache = new PricingConfigCache(source(), 5_000, () => NOW.getTime());
    expect(ids(await cache.campaignsActiveAt(NOW, ["S1"]))).toEqual(["PLAT", "S1-A"]);
    const later = new Date(NOW.getTime() + 2 * HOUR);
    expect(ids(await cache.campaignsActiveAt(later, ["S1", "S2"]))).toEqual([
      "PLAT",
      "S1-A",
      "S1-LATER",
      "S2-A",
    ]);
  });

  it("reads the table for a time before what the cache holds", async () => {
    const cache = new PricingConfigCache(source(), 5_000, () => NOW.getTime());
    const longAgo = new Date(NOW.getTime() - 2 * HOUR);
    expect(ids(await cache.campaignsActiveAt(longAgo, ["S1"]))).toEqual(["FROM-TABLE"]);
  });

  it("re-reads the tiers once for a tier it has not seen, and falls back to no benefit", async () => {
    const table = [...tiers];
    let loads = 0;
    const cache = new PricingConfigCache(
      source({
        tiers: async () => {
          loads++;
          return [...table];
        },
      }),
    );
    expect(await cache.benefitOf(null)).toEqual(tiers[0]);
    table.push({ tier: "GOLD", percent: 99, stacksWithItemPromotion: false });
    expect(await cache.benefitOf("GOLD")).toMatchObject({ percent: 99 });
    expect(loads).toBe(2);
    expect(await cache.benefitOf("GONE")).toEqual({
      tier: "NORMAL",
      percent: 100,
      stacksWithItemPromotion: false,
    });
  });

  it("forgets only the part a change names", async () => {
    let policyLoads = 0;
    let shippingLoads = 0;
    const cache = new PricingConfigCache(
      source({
        coinsPolicy: async () => ({ coinsPerYuan: 100 * ++policyLoads, capPercent: 50 }),
        shippingRules: async (shopIds) => {
          shippingLoads++;
          return Object.fromEntries(
            shopIds.map((id) => [id, { feeMinor: shippingLoads, freeOverMinor: null }]),
          );
        },
      }),
    );
    await cache.coinsPolicy();
    await cache.shippingRulesOf(["S1", "S2"]);
    cache.forget({ shopId: "S1" });
    expect(await cache.shippingRulesOf(["S1", "S2"])).toEqual({
      S1: { feeMinor: 2, freeOverMinor: null },
      S2: { feeMinor: 1, freeOverMinor: null },
    });
    expect((await cache.coinsPolicy()).coinsPerYuan).toBe(100);
    cache.forget({ coinsPolicy: true });
    expect((await cache.coinsPolicy()).coinsPerYuan).toBe(200);
  });

  it("freezes what it shares between price calls", async () => {
    const cache = new PricingConfigCache(source(), 5_000, () => NOW.getTime());
    const [first] = await cache.campaignsActiveAt(NOW, []);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(await cache.benefitOf(null))).toBe(true);
  });
});
