import fc from "fast-check";
import type { OrderLine } from "../../../services/order/domain/order";
import {
  fundedShares,
  netSettlement,
  plannedLines,
  remainingLines,
} from "../../../services/order/domain/settlement";
import type { Allocation } from "../../../shared/contracts/money-shapes";

const allocation = fc.record({
  kind: fc.constantFrom<Allocation["kind"]>("SHOP_COUPON", "PLATFORM_COUPON", "COINS", "SHOP_THRESHOLD"),
  sourceId: fc.constant("X"),
  funder: fc.constantFrom<Allocation["funder"]>("SHOP", "PLATFORM"),
  amountMinor: fc.integer({ min: 0, max: 1_000_000 }),
});

const total = (shares: readonly Allocation[], funder: Allocation["funder"]) =>
  shares.filter((a) => a.funder === funder).reduce((sum, a) => sum + a.amountMinor, 0);

function line(quantity: number, allocations: Allocation[], paidMinor = 10_000): OrderLine {
  return {
    lineId: "L1",
    position: 1,
    skuId: "S1",
    title: "t",
    spec: "",
    imageUrl: null,
    category: "c",
    quantity,
    unitPriceMinor: 0,
    listPriceMinor: 0,
    goodsMinor: 0,
    allocations,
    paidMinor,
    unitPaidMinor: [],
    warehouseId: "W1",
    deductionStrategy: "RESERVE_ON_ORDER",
    campaignId: null,
    refundedMinor: 0,
    refundedQuantity: 0,
  };
}

describe("discount shares by funder", () => {
  it("splits a line's shares over its units so that any sequence of refunds reverses exactly the line's shares", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(allocation, { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 10 }),
        (quantity, allocations, cuts) => {
          const l = line(quantity, allocations);
          // Refund the units in consecutive runs, as refunds take the next unrefunded units.
          const bounds = [...new Set([0, ...cuts.map((c) => c % quantity), quantity])].sort((a, b) => a - b);
          let shop = 0;
          let platform = 0;
          for (let i = 1; i < bounds.length; i++) {
            const part = fundedShares(l, bounds[i - 1], bounds[i]);
            expect(part.shopFundedMinor).toBeGreaterThanOrEqual(0);
            expect(part.platformFundedMinor).toBeGreaterThanOrEqual(0);
            shop += part.shopFundedMinor;
            platform += part.platformFundedMinor;
          }
          expect(shop).toBe(total(allocations, "SHOP"));
          expect(platform).toBe(total(allocations, "PLATFORM"));
          expect(fundedShares(l)).toEqual({ shopFundedMinor: shop, platformFundedMinor: platform });
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("gives the earlier units the odd fen, as the refund plan splits coins", () => {
    const l = line(3, [{ kind: "PLATFORM_COUPON", sourceId: "CP", funder: "PLATFORM", amountMinor: 100 }]);
    expect([0, 1, 2].map((u) => fundedShares(l, u, u + 1).platformFundedMinor)).toEqual([34, 33, 33]);
  });
});

describe("what a refund of a whole child order takes back", () => {
  it("is every unit not refunded yet, at what is left of its line, with the shares those units carry", () => {
    const shares: Allocation[] = [
      { kind: "SHOP_COUPON", sourceId: "CS", funder: "SHOP", amountMinor: 300 },
      { kind: "COINS", sourceId: "COINS", funder: "PLATFORM", amountMinor: 90 },
    ];
    const partly = { ...line(3, shares, 9_000), refundedQuantity: 1, refundedMinor: 3_000 };
    const whole = { ...line(1, [], 500), lineId: "L2" };
    const done = { ...line(2, shares, 4_000), lineId: "L3", refundedQuantity: 2, refundedMinor: 4_000 };
    expect(remainingLines([partly, whole, done])).toEqual([
      { lineId: "L1", quantity: 2, amountMinor: 6_000, shopFundedMinor: 200, platformFundedMinor: 60 },
      { lineId: "L2", quantity: 1, amountMinor: 500, shopFundedMinor: 0, platformFundedMinor: 0 },
    ]);
  });

  it("reads an after-sales plan's lines, reversing no share on plans stored before shares were kept", () => {
    const plan = {
      lines: [
        {
          lineId: "L1",
          quantity: 1,
          amountMinor: 100,
          coinsMinor: 5,
          shopFundedMinor: 7,
          platformFundedMinor: 9,
        },
        { lineId: "L2", quantity: 2, amountMinor: 300, coinsMinor: 0 },
      ],
      goodsMinor: 400,
      shippingMinor: 0,
      totalMinor: 400,
      coins: 0,
      couponIds: [],
      wholeOrder: false,
      shipped: true,
    };
    expect(plannedLines(plan)).toEqual([
      { lineId: "L1", quantity: 1, amountMinor: 100, shopFundedMinor: 7, platformFundedMinor: 9 },
      { lineId: "L2", quantity: 2, amountMinor: 300, shopFundedMinor: 0, platformFundedMinor: 0 },
    ]);
  });
});

describe("the net to settle", () => {
  it("is goods and shipping paid plus what the platform owes, less refunds; the shop's own discounts are not paid", () => {
    expect(
      netSettlement({
        goodsPaidMinor: 10_000,
        shopFundedDiscountMinor: 500,
        platformFundedDiscountMinor: 800,
        shippingFeeMinor: 1_000,
        refundMinor: 2_000,
      }),
    ).toBe(9_800);
  });
});
