import fc from "fast-check";
import { priceCheckout } from "../../../services/promotion/domain/price-checkout";
import { repriceForAdjustment } from "../../../services/promotion/domain/reprice";
import type { PriceAdjustmentLine, ShopPrice } from "../../../shared/contracts/promotion.contract";
import { pricingInputs } from "./arbitraries";
import { campaign, coupon, expectShopInvariants, input, line, lineOf, NOW, sharesOf } from "./fixtures";

const LINE_LEVEL = ["ITEM_PROMOTION", "MEMBER_BENEFIT", "PRICE_ADJUSTMENT"];

// One shop: L1 10 000 x 2, L2 5 000; a shop coupon 3 000 (no threshold) and 2 000 coins.
const shop = priceCheckout(
  input([line("L1", "S1", "A", 10_000, 2), line("L2", "S1", "B", 5_000, 1)], {
    coupons: [coupon("CS", { scope: "SHOP", shopId: "S1", thresholdMinor: 0, discountMinor: 3_000 })],
    coins: 2_000,
  }),
  NOW,
).shops[0] as ShopPrice;

/** Expects the reprice to throw this type with these details. */
function expectRefused(run: () => unknown, type: string, data: Record<string, unknown>) {
  expect(run).toThrow(expect.objectContaining({ type, data: expect.objectContaining(data) }));
}

describe("repriceForAdjustment", () => {
  it("records the cut as a SHOP-funded PRICE_ADJUSTMENT and re-allocates the kept discounts", () => {
    expect(shop.amounts.payableMinor).toBe(20_000);
    const next = repriceForAdjustment(shop, [{ lineId: "L1", unitPriceMinor: 6_000 }], 500, "ADJ-1");
    expect(lineOf(next, "L1").allocations).toEqual([
      { kind: "PRICE_ADJUSTMENT", sourceId: "ADJ-1", funder: "SHOP", amountMinor: 8_000 },
      // 3 000 over 12 000 / 5 000 -> 2 117.6 / 882.4 -> 2 118 / 882; 2 000 coins over 9 882 / 4 118 -> 1 412 / 588.
      { kind: "SHOP_COUPON", sourceId: "CS", funder: "SHOP", amountMinor: 2_118 },
      { kind: "COINS", sourceId: "COINS", funder: "PLATFORM", amountMinor: 1_412 },
    ]);
    expect(sharesOf(next, "L2", "SHOP_COUPON")).toEqual([882]);
    expect(lineOf(next, "L1")).toMatchObject({ paidMinor: 8_470, unitPaidMinor: [4_235, 4_235] });
    expect(next.amounts).toMatchObject({
      priceAdjustmentMinor: 8_000,
      couponDiscountMinor: 3_000,
      coinsDeductionMinor: 2_000,
      shippingFeeMinor: 500,
      payableMinor: 12_500,
    });
    expectShopInvariants(next);
  });

  it("treats the unit price as the line's price after item promotion and member benefit", () => {
    const flash = priceCheckout(
      input([line("L1", "S1", "A", 19_900, 1)], {
        campaigns: [campaign("FS", { kind: "FLASH_PRICE", skuIds: ["A"], flashPriceMinor: 15_900 })],
      }),
      NOW,
    ).shops[0] as ShopPrice;
    expectRefused(
      () => repriceForAdjustment(flash, [{ lineId: "L1", unitPriceMinor: 15_901 }]),
      "VALIDATION_FAILED",
      { field: "lines[0].unitPriceMinor", maxUnitPriceMinor: 15_900 },
    );
    const next = repriceForAdjustment(flash, [{ lineId: "L1", unitPriceMinor: 15_000 }]);
    expect(lineOf(next, "L1").allocations.map((a) => [a.kind, a.amountMinor])).toEqual([
      ["ITEM_PROMOTION", 4_000],
      ["PRICE_ADJUSTMENT", 900],
    ]);
  });

  it("refuses a raise, an unknown line and a repeated line", () => {
    expectRefused(
      () => repriceForAdjustment(shop, [{ lineId: "L2", unitPriceMinor: 5_001 }]),
      "VALIDATION_FAILED",
      {
        field: "lines[0].unitPriceMinor",
      },
    );
    expectRefused(
      () => repriceForAdjustment(shop, [{ lineId: "L9", unitPriceMinor: 1 }]),
      "VALIDATION_FAILED",
      {
        field: "lines[0].lineId",
      },
    );
    const twice = [
      { lineId: "L2", unitPriceMinor: 4_000 },
      { lineId: "L2", unitPriceMinor: 3_000 },
    ];
    expectRefused(() => repriceForAdjustment(shop, twice), "VALIDATION_FAILED", {
      field: "lines[1].lineId",
    });
  });

  it("refuses prices that no longer cover the discounts already given (PAYABLE_NEGATIVE)", () => {
    const cut = [
      { lineId: "L1", unitPriceMinor: 0 },
      { lineId: "L2", unitPriceMinor: 2_000 },
    ];
    expectRefused(() => repriceForAdjustment(shop, cut), "PAYABLE_NEGATIVE", {
      kind: "SHOP_COUPON",
      discountMinor: 3_000,
      availableMinor: 2_000,
    });
  });

  it("lets a line go to zero when the others still cover the discounts", () => {
    const next = repriceForAdjustment(shop, [{ lineId: "L1", unitPriceMinor: 0 }]);
    expect(lineOf(next, "L1")).toMatchObject({ paidMinor: 0, unitPaidMinor: [0, 0] });
    expect(next.amounts.payableMinor).toBe(0);
    expectShopInvariants(next);
  });

  it("changes only the shipping fee when no line is adjusted", () => {
    const next = repriceForAdjustment(shop, [], 0);
    expect(next.lines).toEqual(shop.lines);
    expect(next.amounts.payableMinor).toBe(20_000);
  });
});

const repriceCases = pricingInputs.chain((cart) => {
  let result: ReturnType<typeof priceCheckout> | null = null;
  try {
    result = priceCheckout(cart, NOW);
  } catch {
    return fc.constant(null);
  }
  const shops = result.shops;
  return fc.record({
    shop: fc.constantFrom(...shops),
    picks: fc.array(fc.tuple(fc.nat(), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 4 }),
    shippingFeeMinor: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
  });
});

/** Adjustments of distinct lines, each at or below the line's current unit price. */
function adjustmentsOf(shop: ShopPrice, picks: [number, number][]): PriceAdjustmentLine[] {
  const chosen = new Map<string, PriceAdjustmentLine>();
  for (const [index, fraction] of picks) {
    const l = shop.lines[index % shop.lines.length];
    if (!l || chosen.has(l.lineId)) continue;
    const lineLevel = l.allocations
      .filter((a) => LINE_LEVEL.includes(a.kind))
      .reduce((s, a) => s + a.amountMinor, 0);
    const maxUnit = Math.floor((l.goodsMinor - lineLevel) / l.quantity);
    chosen.set(l.lineId, { lineId: l.lineId, unitPriceMinor: Math.floor(maxUnit * fraction) });
  }
  return [...chosen.values()];
}

const totalsBySource = (s: ShopPrice) => {
  const totals: Record<string, number> = {};
  for (const a of s.lines.flatMap((l) => l.allocations)) {
    if (LINE_LEVEL.includes(a.kind)) continue;
    const key = `${a.kind}/${a.sourceId}`;
    totals[key] = (totals[key] ?? 0) + a.amountMinor;
  }
  return totals;
};

describe("repriceForAdjustment properties", () => {
  it("keeps the invariants and the order-level totals, and lowers payable by exactly the cut", () => {
    let repriced = 0;
    fc.assert(
      fc.property(repriceCases, (c) => {
        if (!c) return;
        const adjustments = adjustmentsOf(c.shop, c.picks);
        let next: ShopPrice;
        try {
          next = repriceForAdjustment(c.shop, adjustments, c.shippingFeeMinor, "ADJ");
        } catch (err) {
          expect((err as { type?: string }).type).toBe("PAYABLE_NEGATIVE");
          return;
        }
        repriced++;
        expectShopInvariants(next);
        expect(totalsBySource(next)).toEqual(totalsBySource(c.shop));
        const cut = (next.amounts.priceAdjustmentMinor ?? 0) - (c.shop.amounts.priceAdjustmentMinor ?? 0);
        const shipping = next.amounts.shippingFeeMinor - c.shop.amounts.shippingFeeMinor;
        expect(next.amounts.payableMinor).toBe(c.shop.amounts.payableMinor - cut + shipping);
        for (const a of c.shop.lines) {
          const b = lineOf(next, a.lineId);
          const kept = (x: typeof a) =>
            x.allocations.filter((s) => s.kind === "ITEM_PROMOTION" || s.kind === "MEMBER_BENEFIT");
          expect(kept(b)).toEqual(kept(a));
        }
        expect(repriceForAdjustment(c.shop, adjustments, c.shippingFeeMinor, "ADJ")).toEqual(next);
      }),
      { numRuns: 2000 },
    );
    expect(repriced).toBeGreaterThan(500);
  });

  it("changes nothing when no price is adjusted", () => {
    fc.assert(
      fc.property(repriceCases, (c) => {
        if (!c) return;
        expect(repriceForAdjustment(c.shop, [])).toEqual(c.shop);
      }),
      { numRuns: 2000 },
    );
  });
});
