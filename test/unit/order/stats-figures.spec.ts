import {
  amountBuckets,
  averageOrderValueMinor,
  bucketOf,
  refundRate,
} from "../../../services/order/stats/stats-figures";
import { presentOverview, statsScope } from "../../../services/order/stats/stats-overview";
import type { StatsRows } from "../../../services/order/stats/stats-read.repo";

describe("amount buckets", () => {
  it.each([
    [0, 0],
    [9_999, 0],
    [10_000, 1],
    [29_999, 1],
    [30_000, 2],
    [59_999, 2],
    [60_000, 3],
    [99_999, 3],
    [100_000, 4],
    [5_000_000, 4],
  ])("puts %i fen in bucket %i (lower bound inclusive)", (paidMinor, bucket) => {
    expect(bucketOf(paidMinor)).toBe(bucket);
  });

  it("lists all five buckets in order with their bounds, empty ones as zero", () => {
    expect(amountBuckets([{ bucket: 2, paidOrders: 3, gmvMinor: 120_000 }])).toEqual([
      { bucket: "<100", fromMinor: 0, toMinor: 10_000, paidOrders: 0, gmvMinor: 0 },
      { bucket: "100-300", fromMinor: 10_000, toMinor: 30_000, paidOrders: 0, gmvMinor: 0 },
      { bucket: "300-600", fromMinor: 30_000, toMinor: 60_000, paidOrders: 3, gmvMinor: 120_000 },
      { bucket: "600-1000", fromMinor: 60_000, toMinor: 100_000, paidOrders: 0, gmvMinor: 0 },
      { bucket: ">1000", fromMinor: 100_000, toMinor: null, paidOrders: 0, gmvMinor: 0 },
    ]);
  });
});

describe("average order value", () => {
  it("rounds down to the fen", () => {
    expect(averageOrderValueMinor(100, 3)).toBe(33);
    expect(averageOrderValueMinor(200, 3)).toBe(66);
    expect(averageOrderValueMinor(30_000, 3)).toBe(10_000);
  });

  it("is 0 without paid orders", () => {
    expect(averageOrderValueMinor(0, 0)).toBe(0);
  });

  it("stays exact beyond float precision of the quotient", () => {
    expect(averageOrderValueMinor(9_007_199_254_740_991, 2)).toBe(4_503_599_627_370_495);
  });
});

describe("refund rate", () => {
  it.each([
    [0, 10_000, 0],
    [1_234, 10_000, 0.1234],
    [12_345, 100_000, 0.1235], // 0.12345 rounds half up
    [12_344, 100_000, 0.1234],
    [1, 3, 0.3333],
    [2, 3, 0.6667],
    [5, 100_000, 0.0001], // 0.00005 rounds half up
    [4, 100_000, 0],
    [10_000, 10_000, 1],
    [15_000, 10_000, 1.5],
  ])("%i refunded of %i paid is %d", (refund, gmv, rate) => {
    expect(refundRate(refund, gmv)).toBe(rate);
  });

  it("is 0 when nothing was paid", () => {
    expect(refundRate(500, 0)).toBe(0);
  });
});

describe("whose statistics a caller sees", () => {
  it("gives an operator the platform without shopId, any shop with it", () => {
    expect(statsScope({ userId: "a", role: "admin" }, undefined)).toBeNull();
    expect(statsScope({ userId: "a", role: "admin" }, "shop-9")).toBe("shop-9");
  });

  it("gives a merchant its own shop, named or not", () => {
    const merchant = { userId: "m", role: "merchant" as const, shopId: "shop-1" };
    expect(statsScope(merchant, undefined)).toBe("shop-1");
    expect(statsScope(merchant, "shop-1")).toBe("shop-1");
  });

  it("refuses a merchant another shop, and buyers anything (403)", () => {
    const merchant = { userId: "m", role: "merchant" as const, shopId: "shop-1" };
    expect(() => statsScope(merchant, "shop-2")).toThrow(
      expect.objectContaining({ type: "FORBIDDEN", code: 403 }),
    );
    expect(() => statsScope({ userId: "b", role: "buyer" }, undefined)).toThrow(
      expect.objectContaining({ type: "FORBIDDEN" }),
    );
  });
});

describe("the overview's shape", () => {
  const rows: StatsRows = {
    totals: {
      orders: 7,
      paidOrders: 4,
      gmvMinor: 100_001,
      refunds: 1,
      refundMinor: 12_345,
      cohortPaid: 4,
      cohortShipped: 2,
      cohortCompleted: 1,
    },
    orderingUsers: 5,
    payingUsers: 3,
    newPayingUsers: 2,
    shipOverdueOrders: 1,
    buckets: [],
    provinces: [],
    channels: [],
    topSkus: [
      {
        rankBy: "units",
        skuId: "a",
        title: "A",
        orderedUnits: 3,
        orderedMinor: 3,
        paidUnits: 3,
        paidMinor: 3,
      },
      {
        rankBy: "amount",
        skuId: "b",
        title: "B",
        orderedUnits: 1,
        orderedMinor: 9,
        paidUnits: 1,
        paidMinor: 9,
      },
    ],
  };

  it("derives AOV, returning users, refund rate and the funnel", () => {
    const o = presentOverview({ from: "2026-11-01", to: "2026-11-02", days: 1 }, "s", rows);
    expect(o).toMatchObject({
      aovMinor: 25_000,
      returningPayingUsers: 1,
      refundRate: 0.1234,
      funnel: { created: 7, paid: 4, shipped: 2, completed: 1 },
      period: { from: "2026-11-01", to: "2026-11-02", days: 1, timeZone: "Asia/Shanghai" },
    });
    expect(o.topSkus.byUnits.map((s) => s.skuId)).toEqual(["a"]);
    expect(o.topSkus.byAmount).toEqual([
      { skuId: "b", title: "B", orderedUnits: 1, orderedMinor: 9, paidUnits: 1, paidMinor: 9 },
    ]);
  });
});
