import fc from "fast-check";
import { maxCoinsFor } from "../../../services/promotion/domain/coins";
import { priceCheckout } from "../../../services/promotion/domain/price-checkout";
import type { PriceResult } from "../../../shared/contracts/promotion.contract";
import { pricingInputs } from "./arbitraries";
import { expectInvariants, NOW } from "./fixtures";

const RUNS = { numRuns: 2000 };
// Business refusals a random cart may legitimately meet; anything else is a bug.
const REFUSALS = new Set([
  "COUPON_NOT_APPLICABLE",
  "COUPON_THRESHOLD_NOT_MET",
  "INSUFFICIENT_COINS",
  "COINS_OVER_CAP",
  "VALIDATION_FAILED",
]);
const ORDER_LEVEL = ["SHOP_THRESHOLD", "SHOP_COUPON", "PLATFORM_CAMPAIGN", "PLATFORM_COUPON", "COINS"];
const SHOP_FUNDED = ["SHOP_THRESHOLD", "SHOP_COUPON", "PRICE_ADJUSTMENT"];

/** Prices, or returns null for a known business refusal (and fails on any other error). */
function priceOrRefusal(cart: Parameters<typeof priceCheckout>[0]): PriceResult | null {
  try {
    return priceCheckout(cart, NOW);
  } catch (err) {
    expect(REFUSALS.has((err as { type?: string }).type ?? "")).toBe(true);
    return null;
  }
}

describe("priceCheckout properties over random carts", () => {
  it("keeps every line, shop and total adding up to the fen, nothing negative", () => {
    let priced = 0;
    fc.assert(
      fc.property(pricingInputs, (cart) => {
        const result = priceOrRefusal(cart);
        if (!result) return;
        priced++;
        expectInvariants(result);
        const lineIds = result.shops.flatMap((s) => s.lines.map((l) => l.lineId)).sort();
        expect(lineIds).toEqual(cart.lines.map((l) => l.lineId).sort());
        for (const shop of result.shops) for (const l of shop.lines) expect(l.shopId).toBe(shop.shopId);
      }),
      RUNS,
    );
    // The generator must exercise pricing, not only refusals.
    expect(priced).toBeGreaterThan(RUNS.numRuns * 0.4);
  });

  it("allocates each order-level step exactly, to the right shop and funder", () => {
    fc.assert(
      fc.property(pricingInputs, (cart) => {
        const result = priceOrRefusal(cart);
        if (!result) return;
        const lines = result.shops.flatMap((s) => s.lines);
        for (const step of result.steps.filter((s) => ORDER_LEVEL.includes(s.step))) {
          const shares = lines.flatMap((l) =>
            l.allocations
              .filter((a) => a.kind === step.step && a.sourceId === step.sourceId)
              .map((a) => ({ l, a })),
          );
          expect(shares.reduce((sum, { a }) => sum + a.amountMinor, 0)).toBe(step.amountMinor);
          if (step.shopId !== null) for (const { l } of shares) expect(l.shopId).toBe(step.shopId);
        }
        for (const a of lines.flatMap((l) => l.allocations)) {
          if (SHOP_FUNDED.includes(a.kind)) expect(a.funder).toBe("SHOP");
          if (["MEMBER_BENEFIT", "PLATFORM_CAMPAIGN", "PLATFORM_COUPON", "COINS"].includes(a.kind)) {
            expect(a.funder).toBe("PLATFORM");
          }
        }
      }),
      RUNS,
    );
  });

  it("gives a line at most one item promotion, and an exclusive line nothing but coins besides", () => {
    fc.assert(
      fc.property(pricingInputs, (cart) => {
        const result = priceOrRefusal(cart);
        if (!result) return;
        for (const l of result.shops.flatMap((s) => s.lines)) {
          expect(l.allocations.filter((a) => a.kind === "ITEM_PROMOTION").length).toBeLessThanOrEqual(1);
          const exclusive = cart.campaigns.find((c) => c.campaignId === l.campaignId)?.exclusive;
          if (exclusive) {
            expect(l.allocations.every((a) => a.kind === "ITEM_PROMOTION" || a.kind === "COINS")).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it("keeps coins within the balance and the cap", () => {
    fc.assert(
      fc.property(pricingInputs, (cart) => {
        const result = priceOrRefusal(cart);
        if (!result) return;
        const { coinsDeductionMinor, payableMinor, shippingFeeMinor } = result.totals;
        expect(result.coinsUsed).toBeLessThanOrEqual(cart.coinsBalance);
        const beforeCoins = payableMinor - shippingFeeMinor + coinsDeductionMinor;
        expect(result.coinsUsed).toBeLessThanOrEqual(maxCoinsFor(beforeCoins, cart.coinsPolicy));
        expect(coinsDeductionMinor * cart.coinsPolicy.coinsPerYuan).toBe(result.coinsUsed * 100);
      }),
      RUNS,
    );
  });

  it("gives the same output for the same input", () => {
    fc.assert(
      fc.property(pricingInputs, (cart) => {
        const first = priceOrRefusal(cart);
        const copy = structuredClone(cart);
        expect(priceOrRefusal(copy)).toEqual(first);
      }),
      RUNS,
    );
  });
});
