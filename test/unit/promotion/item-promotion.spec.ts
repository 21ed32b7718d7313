import { priceCheckout } from "../../../services/promotion/domain/price-checkout";
import { campaign, coupon, input, line, lineOf, NOW, sharesOf } from "./fixtures";

const SUPER = { tier: "SUPER", percent: 98, stacksWithItemPromotion: false };

describe("item promotions", () => {
  it("gives each line the best non-exclusive promotion for the buyer", () => {
    const result = priceCheckout(
      input([line("L1", "S1", "A", 10_000, 2)], {
        campaigns: [
          campaign("P10", { kind: "PERCENT_OFF", shopId: "S1", percentOff: 10 }),
          campaign("FL", { kind: "FLASH_PRICE", shopId: "S1", skuIds: ["A"], flashPriceMinor: 8_500 }),
          campaign("P12", { kind: "PERCENT_OFF", percentOff: 12 }),
        ],
      }),
      NOW,
    );
    expect(lineOf(result, "L1").allocations).toEqual([
      { kind: "ITEM_PROMOTION", sourceId: "FL", funder: "SHOP", amountMinor: 3_000 },
    ]);
  });

  it("funds a platform item campaign by the platform", () => {
    const result = priceCheckout(
      input([line("L1", "S1", "A", 999, 1)], {
        campaigns: [campaign("P", { kind: "PERCENT_OFF", percentOff: 15 })],
      }),
      NOW,
    );
    // 15 % of 999 = 149.85, floored: the discount never exceeds the advertised percent.
    expect(lineOf(result, "L1").allocations).toEqual([
      { kind: "ITEM_PROMOTION", sourceId: "P", funder: "PLATFORM", amountMinor: 149 },
    ]);
  });

  it("prefers an exclusive campaign over a bigger non-exclusive one, and the exclusive line takes no other discount", () => {
    const result = priceCheckout(
      input([line("L1", "S1", "A", 10_000, 1), line("L2", "S1", "B", 10_000, 1)], {
        campaigns: [
          campaign("BIG", { kind: "PERCENT_OFF", shopId: "S1", percentOff: 50 }),
          campaign("EX", {
            kind: "FLASH_PRICE",
            shopId: "S1",
            skuIds: ["A"],
            flashPriceMinor: 9_000,
            exclusive: true,
          }),
          campaign("TH", {
            kind: "THRESHOLD_DISCOUNT",
            shopId: "S1",
            thresholdMinor: 1_000,
            discountMinor: 500,
          }),
        ],
        member: { ...SUPER, stacksWithItemPromotion: true },
        coins: 1_000,
      }),
      NOW,
    );
    expect(lineOf(result, "L1").allocations.map((a) => [a.kind, a.sourceId, a.amountMinor])).toEqual([
      ["ITEM_PROMOTION", "EX", 1_000],
      // 1 000 coins over 9 000 / 4 400 -> 671.6 / 328.4 -> 672 / 328.
      ["COINS", "COINS", 672],
    ]);
    // L2: 50 % off, then the stacking member benefit, then the whole threshold discount.
    expect(sharesOf(result, "L2", "ITEM_PROMOTION")).toEqual([5_000]);
    expect(sharesOf(result, "L2", "MEMBER_BENEFIT")).toEqual([100]);
    expect(sharesOf(result, "L2", "SHOP_THRESHOLD")).toEqual([500]);
  });

  it("picks among exclusive campaigns by priority first", () => {
    const result = priceCheckout(
      input([line("L1", "S1", "A", 10_000, 1)], {
        campaigns: [
          campaign("EX-BIG", { kind: "PERCENT_OFF", percentOff: 40, exclusive: true, priority: 1 }),
          campaign("EX-TOP", { kind: "PERCENT_OFF", percentOff: 10, exclusive: true, priority: 5 }),
        ],
      }),
      NOW,
    );
    expect(lineOf(result, "L1").campaignId).toBe("EX-TOP");
  });

  it("refuses a coupon that only covers an exclusive line", () => {
    const price = () =>
      priceCheckout(
        input([line("L1", "S1", "A", 10_000, 1)], {
          campaigns: [campaign("EX", { kind: "PERCENT_OFF", percentOff: 10, exclusive: true })],
          coupons: [coupon("C1", { scope: "SHOP", shopId: "S1", thresholdMinor: 0, discountMinor: 100 })],
        }),
        NOW,
      );
    expect(price).toThrow(
      expect.objectContaining({ type: "COUPON_NOT_APPLICABLE", data: { couponId: "C1" } }),
    );
  });

  it("ignores campaigns outside their window (endsAt exclusive) and other shops' campaigns", () => {
    const result = priceCheckout(
      input([line("L1", "S1", "A", 10_000, 1)], {
        campaigns: [
          campaign("ENDED", { kind: "PERCENT_OFF", percentOff: 10, endsAt: NOW }),
          campaign("LATER", { kind: "PERCENT_OFF", percentOff: 10, startsAt: new Date(NOW.getTime() + 1) }),
          campaign("OTHER", { kind: "PERCENT_OFF", shopId: "S2", percentOff: 10 }),
          campaign("SKU", { kind: "FLASH_PRICE", shopId: "S1", skuIds: ["Z"], flashPriceMinor: 1 }),
        ],
      }),
      NOW,
    );
    expect(lineOf(result, "L1").allocations).toEqual([]);
    expect(result.totals.payableMinor).toBe(10_000);
  });

  it("does not apply a flash price at or above the list price", () => {
    const result = priceCheckout(
      input([line("L1", "S1", "A", 5_000, 1)], {
        campaigns: [
          campaign("FL", { kind: "FLASH_PRICE", skuIds: ["A"], flashPriceMinor: 5_000, paymentTimeoutMs: 1 }),
        ],
      }),
      NOW,
    );
    expect(lineOf(result, "L1").campaignId).toBeNull();
    expect(result.shops[0]?.paymentTimeoutMs).toBeNull();
  });
});

describe("member benefit", () => {
  const cart = [line("L1", "S1", "A", 10_000, 1), line("L2", "S1", "B", 3_333, 1)];
  const promo = campaign("P", { kind: "PERCENT_OFF", skuIds: ["A"], percentOff: 10 });

  it("applies only to lines without an item promotion when it does not stack", () => {
    const result = priceCheckout(input(cart, { campaigns: [promo], member: SUPER }), NOW);
    expect(sharesOf(result, "L1", "MEMBER_BENEFIT")).toEqual([]);
    // 2 % of 3 333 = 66.66, floored to 66.
    expect(sharesOf(result, "L2", "MEMBER_BENEFIT")).toEqual([66]);
  });

  it("applies on top of the item promotion when the tier stacks", () => {
    const result = priceCheckout(
      input(cart, { campaigns: [promo], member: { ...SUPER, stacksWithItemPromotion: true } }),
      NOW,
    );
    // 2 % of 9 000 (after 10 % off) = 180.
    expect(sharesOf(result, "L1", "MEMBER_BENEFIT")).toEqual([180]);
    expect(result.totals.memberDiscountMinor).toBe(246);
  });

  it("gives nothing for a 100 % tier and records the tier", () => {
    const result = priceCheckout(
      input(cart, { member: { tier: "NORMAL", percent: 100, stacksWithItemPromotion: false } }),
      NOW,
    );
    expect(result.totals.memberDiscountMinor).toBe(0);
    expect(result.memberTier).toBe("NORMAL");
  });
});
