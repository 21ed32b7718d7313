import { priceCheckout } from "../../../services/promotion/domain/price-checkout";
import type { PricingInput } from "../../../services/promotion/domain/promotion.types";
import { campaign, coupon, input, line, NOW, sharesOf } from "./fixtures";

const twoShops = [
  line("L1", "S1", "A", 20_000, 1, { category: "phone" }),
  line("L2", "S1", "B", 10_000, 1, { category: "case" }),
  line("L3", "S2", "C", 10_000, 1, { category: "book" }),
];

/** Expects pricing to throw the error type with these details. */
function expectRefused(cart: PricingInput, type: string, data: Record<string, unknown>) {
  expect(() => priceCheckout(cart, NOW)).toThrow(
    expect.objectContaining({ type, data: expect.objectContaining(data) }),
  );
}

describe("threshold discounts", () => {
  it("applies a shop's best threshold it reaches, on that shop's goods only", () => {
    const result = priceCheckout(
      input(twoShops, {
        campaigns: [
          campaign("T300", {
            kind: "THRESHOLD_DISCOUNT",
            shopId: "S1",
            thresholdMinor: 30_000,
            discountMinor: 3_000,
          }),
          campaign("T500", {
            kind: "THRESHOLD_DISCOUNT",
            shopId: "S1",
            thresholdMinor: 50_000,
            discountMinor: 8_000,
          }),
          campaign("T-S2", {
            kind: "THRESHOLD_DISCOUNT",
            shopId: "S2",
            thresholdMinor: 10_001,
            discountMinor: 1_000,
          }),
        ],
      }),
      NOW,
    );
    expect(sharesOf(result, "L1", "SHOP_THRESHOLD")).toEqual([2_000]);
    expect(sharesOf(result, "L2", "SHOP_THRESHOLD")).toEqual([1_000]);
    expect(result.shops[1]?.amounts.shopDiscountMinor).toBe(0);
  });

  it("counts only the SKUs a threshold campaign names", () => {
    const result = priceCheckout(
      input(twoShops, {
        campaigns: [
          campaign("T", {
            kind: "THRESHOLD_DISCOUNT",
            shopId: "S1",
            skuIds: ["B"],
            thresholdMinor: 10_000,
            discountMinor: 700,
          }),
        ],
      }),
      NOW,
    );
    expect(sharesOf(result, "L1", "SHOP_THRESHOLD")).toEqual([]);
    expect(sharesOf(result, "L2", "SHOP_THRESHOLD")).toEqual([700]);
  });

  it("spreads a platform threshold campaign over every shop, funded by the platform", () => {
    const result = priceCheckout(
      input(twoShops, {
        campaigns: [
          campaign("X", { kind: "THRESHOLD_DISCOUNT", thresholdMinor: 40_000, discountMinor: 4_000 }),
        ],
      }),
      NOW,
    );
    expect(["L1", "L2", "L3"].map((id) => sharesOf(result, id, "PLATFORM_CAMPAIGN"))).toEqual([
      [2_000],
      [1_000],
      [1_000],
    ]);
    expect(result.totals.platformDiscountMinor).toBe(4_000);
    expect(result.steps.some((s) => s.step === "PLATFORM_CAMPAIGN" && s.amountMinor === 4_000)).toBe(true);
  });
});

describe("coupons", () => {
  const shopCoupon = coupon("CS", {
    scope: "SHOP",
    shopId: "S1",
    thresholdMinor: 30_000,
    discountMinor: 3_000,
  });
  const platformCoupon = coupon("CP", { scope: "PLATFORM", thresholdMinor: 0, discountMinor: 1_000 });

  it("applies one shop coupon per shop and one platform coupon, shop first", () => {
    const result = priceCheckout(input(twoShops, { coupons: [platformCoupon, shopCoupon] }), NOW);
    expect(result.couponIds).toEqual(["CP", "CS"]);
    expect(sharesOf(result, "L1", "SHOP_COUPON")).toEqual([2_000]);
    // The platform coupon sees S1 after its shop coupon: 1 000 over 18 000 / 9 000 / 10 000 is
    // 486.49 / 243.24 / 270.27; the one fen left goes to the largest remainder (L1).
    expect(["L1", "L2", "L3"].map((id) => sharesOf(result, id, "PLATFORM_COUPON"))).toEqual([
      [487],
      [243],
      [270],
    ]);
  });

  it("narrows the scope to SKUs or categories", () => {
    const byCategory = coupon("CC", {
      scope: "PLATFORM",
      thresholdMinor: 0,
      discountMinor: 500,
      categories: ["book"],
    });
    const result = priceCheckout(input(twoShops, { coupons: [byCategory] }), NOW);
    expect(sharesOf(result, "L3", "PLATFORM_COUPON")).toEqual([500]);
    expect(result.shops[0]?.amounts.couponDiscountMinor).toBe(0);
    const bySku = coupon("CK", {
      scope: "SHOP",
      shopId: "S1",
      thresholdMinor: 0,
      discountMinor: 500,
      skuIds: ["B"],
    });
    expect(sharesOf(priceCheckout(input(twoShops, { coupons: [bySku] }), NOW), "L2", "SHOP_COUPON")).toEqual([
      500,
    ]);
    const byShops = coupon("CH", {
      scope: "PLATFORM",
      thresholdMinor: 0,
      discountMinor: 500,
      shopIds: ["S2"],
    });
    expect(
      sharesOf(priceCheckout(input(twoShops, { coupons: [byShops] }), NOW), "L3", "PLATFORM_COUPON"),
    ).toEqual([500]);
  });

  it("caps a coupon at what its eligible lines cost", () => {
    const big = coupon("CB", { scope: "SHOP", shopId: "S2", thresholdMinor: 0, discountMinor: 99_999 });
    const result = priceCheckout(input(twoShops, { coupons: [big] }), NOW);
    expect(sharesOf(result, "L3", "SHOP_COUPON")).toEqual([10_000]);
    expect(result.shops[1]?.amounts.payableMinor).toBe(1_000);
  });

  it("refuses an unknown coupon", () => {
    expectRefused(input(twoShops, { couponIds: ["NOPE"] }), "COUPON_NOT_FOUND", { couponId: "NOPE" });
  });

  it("refuses someone else's, a locked and a used coupon alike", () => {
    for (const c of [
      { ...platformCoupon, ownerId: "B2" },
      { ...platformCoupon, status: "LOCKED" as const, lockId: "P1" },
      { ...platformCoupon, status: "USED" as const, lockId: "P1" },
    ]) {
      expectRefused(input(twoShops, { coupons: [c] }), "COUPON_UNAVAILABLE", { couponId: "CP" });
    }
  });

  it("refuses a coupon outside its window (validTo exclusive)", () => {
    expectRefused(input(twoShops, { coupons: [{ ...platformCoupon, validTo: NOW }] }), "COUPON_EXPIRED", {
      couponId: "CP",
    });
    const early = { ...platformCoupon, validFrom: new Date(NOW.getTime() + 1) };
    expectRefused(input(twoShops, { coupons: [early] }), "COUPON_EXPIRED", { couponId: "CP" });
  });

  it("refuses a coupon whose scope misses the cart", () => {
    const other = coupon("CO", { scope: "SHOP", shopId: "S9", thresholdMinor: 0, discountMinor: 100 });
    expectRefused(input(twoShops, { coupons: [other] }), "COUPON_NOT_APPLICABLE", { couponId: "CO" });
    const category = coupon("CG", {
      scope: "PLATFORM",
      thresholdMinor: 0,
      discountMinor: 100,
      categories: ["food"],
    });
    expectRefused(input(twoShops, { coupons: [category] }), "COUPON_NOT_APPLICABLE", { couponId: "CG" });
  });

  it("refuses a coupon below its threshold, after the earlier discounts", () => {
    const cart = input(twoShops, {
      coupons: [shopCoupon],
      campaigns: [campaign("P", { kind: "PERCENT_OFF", shopId: "S1", skuIds: ["B"], percentOff: 1 })],
    });
    expectRefused(cart, "COUPON_THRESHOLD_NOT_MET", {
      couponId: "CS",
      thresholdMinor: 30_000,
      eligibleMinor: 29_900,
    });
  });

  it("refuses two shop coupons for one shop and two platform coupons", () => {
    const second = coupon("CS2", { scope: "SHOP", shopId: "S1", thresholdMinor: 0, discountMinor: 100 });
    expectRefused(input(twoShops, { coupons: [shopCoupon, second] }), "COUPON_LIMIT_EXCEEDED", {
      couponId: "CS2",
    });
    const another = coupon("CP2", { scope: "PLATFORM", thresholdMinor: 0, discountMinor: 100 });
    expectRefused(input(twoShops, { coupons: [platformCoupon, another] }), "COUPON_LIMIT_EXCEEDED", {
      couponId: "CP2",
    });
    const s2 = coupon("CS-S2", { scope: "SHOP", shopId: "S2", thresholdMinor: 0, discountMinor: 100 });
    expect(priceCheckout(input(twoShops, { coupons: [shopCoupon, s2] }), NOW).couponIds).toEqual([
      "CS",
      "CS-S2",
    ]);
  });
});

describe("coins", () => {
  it("deducts 100 coins per yuan over every line, funded by the platform", () => {
    const result = priceCheckout(input(twoShops, { coins: 4_000 }), NOW);
    expect(["L1", "L2", "L3"].map((id) => sharesOf(result, id, "COINS"))).toEqual([
      [2_000],
      [1_000],
      [1_000],
    ]);
    expect(result.totals.coinsDeductionMinor).toBe(4_000);
    expect(result.coinsUsed).toBe(4_000);
  });

  it("refuses more coins than the balance", () => {
    expectRefused(input(twoShops, { coins: 10_001 }), "INSUFFICIENT_COINS", {
      field: "coins",
      balance: 10_000,
    });
  });

  it("caps coins at capPercent of the goods payable before coins, shipping excluded", () => {
    const cart = [line("L1", "S1", "A", 1_999, 1)];
    // 50 % of 1 999 = 999.5, floored to 999 fen = 999 coins.
    expectRefused(input(cart, { coins: 1_000 }), "COINS_OVER_CAP", { field: "coins", maxCoins: 999 });
    expect(priceCheckout(input(cart, { coins: 999 }), NOW).totals.payableMinor).toBe(1_000 + 1_000);
  });

  it("refuses coins that are not a whole fen at another rate, and converts the rest", () => {
    const policy = { coinsPerYuan: 1_000, capPercent: 100 };
    expectRefused(input(twoShops, { coins: 1_005, coinsPolicy: policy }), "VALIDATION_FAILED", {
      field: "coins",
      coinsStep: 10,
    });
    const result = priceCheckout(input(twoShops, { coins: 10_000, coinsPolicy: policy }), NOW);
    expect(result.totals.coinsDeductionMinor).toBe(1_000);
    const maxed = { coinsPerYuan: 1_000, capPercent: 10 };
    // 10 % of 40 000 = 4 000 fen = 40 000 coins; the balance is 10 000, so the cap is not what refuses.
    expectRefused(
      input(twoShops, { coins: 50_000, coinsBalance: 99_999, coinsPolicy: maxed }),
      "COINS_OVER_CAP",
      {
        maxCoins: 40_000,
      },
    );
  });
});

describe("shipping", () => {
  const one = (price: number) => [line("L1", "S1", "A", price, 1)];

  it("charges the default fee below 9 900 and nothing from 9 900", () => {
    expect(priceCheckout(input(one(9_899)), NOW).totals.shippingFeeMinor).toBe(1_000);
    expect(priceCheckout(input(one(9_900)), NOW).totals.shippingFeeMinor).toBe(0);
  });

  it("uses the shop's rule, never free without a threshold", () => {
    const shipping = { S1: { feeMinor: 600, freeOverMinor: null } };
    expect(priceCheckout(input(one(1_000_000), { shipping }), NOW).totals.shippingFeeMinor).toBe(600);
  });

  it("keeps free shipping when platform coupons and coins bring the goods below the threshold", () => {
    const cp = coupon("CP", { scope: "PLATFORM", thresholdMinor: 0, discountMinor: 1_000 });
    const result = priceCheckout(input(one(10_000), { coupons: [cp], coins: 2_000 }), NOW);
    expect(result.totals).toMatchObject({ shippingFeeMinor: 0, payableMinor: 7_000 });
  });

  it("loses free shipping when the shop's own discounts bring its goods below the threshold", () => {
    const cs = coupon("CS", { scope: "SHOP", shopId: "S1", thresholdMinor: 0, discountMinor: 1_000 });
    expect(priceCheckout(input(one(10_000), { coupons: [cs] }), NOW).totals).toMatchObject({
      shippingFeeMinor: 1_000,
      payableMinor: 10_000,
    });
  });
});

describe("checkout input", () => {
  it("refuses repeated line ids and an empty cart, naming the field", () => {
    const dup = [line("L1", "S1", "A", 1, 1), line("L1", "S1", "B", 1, 1)];
    expectRefused(input(dup), "VALIDATION_FAILED", { field: "lines[1].lineId" });
    expectRefused(input([]), "VALIDATION_FAILED", { field: "lines" });
  });

  it("prices a free line without dividing by zero", () => {
    const result = priceCheckout(input([line("L1", "S1", "A", 0, 3)]), NOW);
    expect(result.shops[0]?.lines[0]?.unitPaidMinor).toEqual([0, 0, 0]);
    expect(result.totals.payableMinor).toBe(1_000);
  });
});
