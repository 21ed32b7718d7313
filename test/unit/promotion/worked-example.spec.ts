import { priceCheckout } from "../../../services/promotion/domain/price-checkout";
import { campaign, coupon, expectInvariants, input, line, lineOf, NOW } from "./fixtures";

// Two shops; a flash price and a percent off; a SUPER member (98 %, not stacking with item promotions);
// shop S1's 300-30 threshold; an S1 coupon 200-20; a platform coupon 300-25; 5000 coins; S2 ships for 800.
const cart = input(
  [
    line("L1", "S1", "A", 19_900, 1),
    line("L2", "S1", "B", 2_990, 5),
    line("L3", "S2", "C", 4_500, 2),
    line("L4", "S2", "D", 1_999, 1),
  ],
  {
    campaigns: [
      campaign("FS1", {
        kind: "FLASH_PRICE",
        shopId: "S1",
        skuIds: ["A"],
        flashPriceMinor: 15_900,
        paymentTimeoutMs: 300_000,
        deductionStrategy: "RESERVE_ON_ORDER",
      }),
      campaign("PO2", { kind: "PERCENT_OFF", shopId: "S2", skuIds: ["C"], percentOff: 10 }),
      campaign("TH1", {
        kind: "THRESHOLD_DISCOUNT",
        shopId: "S1",
        thresholdMinor: 30_000,
        discountMinor: 3_000,
      }),
    ],
    member: { tier: "SUPER", percent: 98, stacksWithItemPromotion: false },
    coupons: [
      coupon("C-S1", { scope: "SHOP", shopId: "S1", thresholdMinor: 20_000, discountMinor: 2_000 }),
      coupon("C-P", { scope: "PLATFORM", thresholdMinor: 30_000, discountMinor: 2_500 }),
    ],
    coins: 5_000,
    coinsBalance: 8_000,
    shipping: { S2: { feeMinor: 800, freeOverMinor: 19_900 } },
  },
);

describe("priceCheckout worked example (two shops, every step)", () => {
  const result = priceCheckout(cart, NOW);

  it("applies the flash price and percent off per line and the member benefit only to unpromoted lines", () => {
    expect(lineOf(result, "L1").allocations[0]).toEqual({
      kind: "ITEM_PROMOTION",
      sourceId: "FS1",
      funder: "SHOP",
      amountMinor: 4_000,
    });
    expect(lineOf(result, "L3").allocations[0]).toMatchObject({ kind: "ITEM_PROMOTION", amountMinor: 900 });
    // 2% of 14 950 = 299; 2% of 1 999 = 39.98, floored to 39.
    expect(lineOf(result, "L2").allocations[0]).toEqual({
      kind: "MEMBER_BENEFIT",
      sourceId: "SUPER",
      funder: "PLATFORM",
      amountMinor: 299,
    });
    expect(lineOf(result, "L4").allocations[0]).toMatchObject({ kind: "MEMBER_BENEFIT", amountMinor: 39 });
  });

  it("allocates every order-level discount to the fen by largest remainder", () => {
    const shares = (lineId: string) => lineOf(result, lineId).allocations.map((a) => [a.kind, a.amountMinor]);
    // S1 after item/member: 15 900 + 14 651 = 30 551 >= 30 000: 3 000 -> 1 561.3 / 1 438.7 -> 1 561 / 1 439.
    // S1 coupon 2 000 over 14 339 / 13 212 -> 1 040.9 / 959.1 -> 1 041 / 959.
    // Platform coupon 2 500 over 13 298 / 12 253 / 8 100 / 1 960 -> 933 / 860 / 569 / 138.
    // Coins 5 000 fen over 12 365 / 11 393 / 7 531 / 1 822 -> 1 867 / 1 721 / 1 137 / 275.
    expect(shares("L1")).toEqual([
      ["ITEM_PROMOTION", 4_000],
      ["SHOP_THRESHOLD", 1_561],
      ["SHOP_COUPON", 1_041],
      ["PLATFORM_COUPON", 933],
      ["COINS", 1_867],
    ]);
    expect(shares("L2")).toEqual([
      ["MEMBER_BENEFIT", 299],
      ["SHOP_THRESHOLD", 1_439],
      ["SHOP_COUPON", 959],
      ["PLATFORM_COUPON", 860],
      ["COINS", 1_721],
    ]);
    expect(shares("L3")).toEqual([
      ["ITEM_PROMOTION", 900],
      ["PLATFORM_COUPON", 569],
      ["COINS", 1_137],
    ]);
    expect(shares("L4")).toEqual([
      ["MEMBER_BENEFIT", 39],
      ["PLATFORM_COUPON", 138],
      ["COINS", 275],
    ]);
    expect(["L1", "L2", "L3", "L4"].map((id) => lineOf(result, id).paidMinor)).toEqual([
      10_498, 9_672, 6_394, 1_547,
    ]);
    expect(lineOf(result, "L2").unitPaidMinor).toEqual([1_935, 1_935, 1_934, 1_934, 1_934]);
  });

  it("records who funds each share", () => {
    const l1 = lineOf(result, "L1").allocations;
    expect(l1.map((a) => a.funder)).toEqual(["SHOP", "SHOP", "SHOP", "PLATFORM", "PLATFORM"]);
    expect(l1.find((a) => a.kind === "SHOP_COUPON")?.sourceId).toBe("C-S1");
  });

  it("charges shipping per shop: S1 free over 9 900, S2 pays its own fee below 19 900", () => {
    const [s1, s2] = result.shops;
    expect(s1?.amounts).toEqual({
      goodsMinor: 34_850,
      itemDiscountMinor: 4_000,
      memberDiscountMinor: 299,
      shopDiscountMinor: 3_000,
      couponDiscountMinor: 3_793,
      platformDiscountMinor: 0,
      priceAdjustmentMinor: 0,
      coinsDeductionMinor: 3_588,
      shippingFeeMinor: 0,
      payableMinor: 20_170,
    });
    expect(s2?.amounts).toMatchObject({ goodsMinor: 10_999, shippingFeeMinor: 800, payableMinor: 8_741 });
  });

  it("adds up to the checkout totals", () => {
    expect(result.totals).toMatchObject({
      goodsMinor: 45_849,
      itemDiscountMinor: 4_900,
      memberDiscountMinor: 338,
      shopDiscountMinor: 3_000,
      couponDiscountMinor: 4_500,
      coinsDeductionMinor: 5_000,
      shippingFeeMinor: 800,
      payableMinor: 28_911,
    });
    expectInvariants(result);
    expect(result).toMatchObject({ couponIds: ["C-S1", "C-P"], coinsUsed: 5_000, memberTier: "SUPER" });
  });

  it("carries the flash sale's payment timeout and deduction strategy", () => {
    expect(result.shops.map((s) => s.paymentTimeoutMs)).toEqual([300_000, null]);
    expect(lineOf(result, "L1")).toMatchObject({ deductionStrategy: "RESERVE_ON_ORDER", campaignId: "FS1" });
    expect(lineOf(result, "L2")).toMatchObject({ deductionStrategy: "DEDUCT_ON_PAYMENT", campaignId: null });
  });

  it("records every step in order", () => {
    expect(result.steps.map((s) => s.step)).toEqual([
      ...Array(4).fill("LIST_PRICE"),
      "ITEM_PROMOTION",
      "ITEM_PROMOTION",
      "MEMBER_BENEFIT",
      "MEMBER_BENEFIT",
      "SHOP_THRESHOLD",
      "SHOP_COUPON",
      "PLATFORM_COUPON",
      "COINS",
      "SHIPPING",
      "SHIPPING",
    ]);
    expect(result.steps.find((s) => s.step === "COINS")).toMatchObject({ amountMinor: 5_000, shopId: null });
  });

  it("gives the same result for the same input", () => {
    expect(priceCheckout(cart, NOW)).toEqual(result);
  });
});
