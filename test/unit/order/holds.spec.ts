import fc from "fast-check";
import {
  childHolds,
  coinsByChild,
  type HoldingChild,
  shopCouponsOf,
} from "../../../services/order/domain/holds";
import type { Allocation } from "../../../shared/contracts/money-shapes";
import { allocate } from "../../../shared/money";

const share = (kind: Allocation["kind"], sourceId: string, amountMinor: number): Allocation => ({
  kind,
  sourceId,
  funder: kind === "SHOP_COUPON" ? "SHOP" : "PLATFORM",
  amountMinor,
});

const child = (orderNo: string, coinsDeductionMinor: number, allocations: Allocation[][] = []) => ({
  orderNo,
  amounts: { coinsDeductionMinor },
  lines: allocations.map((a) => ({ allocations: a })),
});

describe("childHolds", () => {
  const a = child("1001", 300, [
    [share("SHOP_COUPON", "cA", 500), share("PLATFORM_COUPON", "cP", 120), share("COINS", "COINS", 200)],
    [share("SHOP_COUPON", "cA", 100), share("COINS", "COINS", 100)],
  ]);
  const b = child("1002", 700, [[share("PLATFORM_COUPON", "cP", 880), share("COINS", "COINS", 700)]]);

  it("gives back the child's shop coupon once and its share of the coins, never the platform coupon", () => {
    expect(childHolds({ coinsUsed: 1_000 }, [a, b], "1001")).toEqual({ couponIds: ["cA"], coins: 300 });
    expect(childHolds({ coinsUsed: 1_000 }, [a, b], "1002")).toEqual({ couponIds: [], coins: 700 });
  });

  it("converts by the checkout's own rate: at 1 000 coins per yuan a fen of deduction is 10 coins", () => {
    expect(childHolds({ coinsUsed: 10_000 }, [a, b], "1001").coins).toBe(3_000);
  });

  it("splits uneven coins by the largest remainder, ties to the lower order number", () => {
    const x = child("2002", 1);
    const y = child("2001", 1);
    expect(coinsByChild(3, [x, y])).toEqual(
      new Map([
        ["2001", 2],
        ["2002", 1],
      ]),
    );
  });

  it("keeps every coin held when no child carries any coins deduction", () => {
    expect(childHolds({ coinsUsed: 500 }, [child("1", 0), child("2", 0)], "1")).toEqual({
      couponIds: [],
      coins: 0,
    });
  });

  it("refuses an order number that is not in the checkout", () => {
    expect(() => childHolds({ coinsUsed: 0 }, [a], "9999")).toThrow("9999");
  });

  it("lists shop coupons in line order", () => {
    const c = child("3", 0, [[share("SHOP_COUPON", "s2", 1)], [share("SHOP_COUPON", "s1", 1)]]);
    expect(shopCouponsOf(c)).toEqual(["s2", "s1"]);
  });
});

/** A checkout priced as promotion does: coins worth `valueMinor` allocated over the children's amounts. */
const parents = fc
  .record({
    amounts: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 8 }),
    coinsPerYuan: fc.constantFrom(50, 100, 1_000, 3),
    valueMinor: fc.integer({ min: 0, max: 500_000 }),
  })
  .filter(({ amounts }) => amounts.some((x) => x > 0))
  .map(({ amounts, coinsPerYuan, valueMinor }) => {
    const deductions = allocate(valueMinor, amounts);
    const coinsUsed = Math.round((valueMinor * coinsPerYuan) / 100);
    const children: HoldingChild[] = deductions.map((d, i) => child(String(5000 + i * 7), d));
    return { coinsUsed, children };
  })
  .chain((parent) => {
    const n = parent.children.length;
    const shuffled = fc.shuffledSubarray(parent.children, { minLength: n, maxLength: n });
    return shuffled.map((reordered) => ({ ...parent, reordered }));
  });

describe("coinsByChild (property)", () => {
  it("splits exactly the coins used, none negative, whatever order the children come in", () => {
    fc.assert(
      fc.property(parents, ({ coinsUsed, children, reordered }) => {
        const shares = coinsByChild(coinsUsed, children);
        const values = [...shares.values()];
        expect(values.reduce((sum, x) => sum + x, 0)).toBe(coinsUsed);
        expect(values.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
        expect(coinsByChild(coinsUsed, reordered)).toEqual(shares);
        for (const c of children)
          expect(childHolds({ coinsUsed }, children, c.orderNo).coins).toBe(shares.get(c.orderNo));
      }),
      { numRuns: 2_000 },
    );
  });

  it("gives a child with no coins deduction no coins", () => {
    fc.assert(
      fc.property(parents, ({ coinsUsed, children }) => {
        const shares = coinsByChild(coinsUsed, children);
        for (const c of children)
          if (c.amounts.coinsDeductionMinor === 0) expect(shares.get(c.orderNo)).toBe(0);
      }),
    );
  });
});
