import fc from "fast-check";
import { coinsStepOf } from "../../../services/promotion/domain/coins";
import type { Campaign, Coupon, PricingInput } from "../../../services/promotion/domain/promotion.types";
import type { PriceLineInput } from "../../../shared/contracts/promotion.contract";
import { campaign, coupon, NOW } from "./fixtures";

const SHOPS = ["S1", "S2", "S3"];
const SKUS = ["A", "B", "C", "D", "E"];
const CATEGORIES = ["c1", "c2", "c3"];
const HOUR = 3_600_000;

const subsetOrNull = (items: string[]) =>
  fc.option(fc.subarray(items, { minLength: 1 }), { nil: null, freq: 2 });

const price = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 30_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000_000 }) },
);

const lines = fc
  .array(
    fc.record({
      shopId: fc.constantFrom(...SHOPS),
      skuId: fc.constantFrom(...SKUS),
      category: fc.constantFrom(...CATEGORIES),
      unitPriceMinor: price,
      quantity: fc.integer({ min: 1, max: 6 }),
      deductionStrategy: fc.constantFrom("RESERVE_ON_ORDER" as const, "DEDUCT_ON_PAYMENT" as const),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((raw): PriceLineInput[] => raw.map((l, i) => ({ ...l, lineId: `L${i}` })));

// Campaigns that may or may not run at NOW, of every kind, shop or platform.
const campaigns = fc
  .array(
    fc.record({
      kind: fc.constantFrom("THRESHOLD_DISCOUNT" as const, "PERCENT_OFF" as const, "FLASH_PRICE" as const),
      shopId: fc.option(fc.constantFrom(...SHOPS), { nil: null }),
      skuIds: subsetOrNull(SKUS),
      thresholdMinor: fc.integer({ min: 0, max: 60_000 }),
      discountMinor: fc.integer({ min: 1, max: 20_000 }),
      percentOff: fc.integer({ min: 1, max: 99 }),
      flashPriceMinor: fc.integer({ min: 0, max: 30_000 }),
      exclusive: fc.boolean(),
      priority: fc.integer({ min: 0, max: 3 }),
      paymentTimeoutMs: fc.option(fc.integer({ min: 60_000, max: 1_800_000 }), { nil: null }),
      startOffset: fc.integer({ min: -3, max: 1 }),
    }),
    { maxLength: 6 },
  )
  .map((raw): Campaign[] =>
    raw.map((c, i) => {
      const threshold = c.kind === "THRESHOLD_DISCOUNT";
      return campaign(`K${i}`, {
        kind: c.kind,
        shopId: c.shopId,
        skuIds: c.kind === "FLASH_PRICE" ? (c.skuIds ?? ["A"]) : c.skuIds,
        thresholdMinor: threshold ? c.thresholdMinor : null,
        discountMinor: threshold ? c.discountMinor : null,
        percentOff: c.kind === "PERCENT_OFF" ? c.percentOff : null,
        flashPriceMinor: c.kind === "FLASH_PRICE" ? c.flashPriceMinor : null,
        exclusive: !threshold && c.exclusive,
        priority: c.priority,
        paymentTimeoutMs: c.paymentTimeoutMs,
        startsAt: new Date(NOW.getTime() + c.startOffset * HOUR),
        endsAt: new Date(NOW.getTime() + (c.startOffset + 2) * HOUR),
      });
    }),
  );

// Mostly usable coupons: at most one per shop and one platform coupon, a low threshold, the buyer's own.
const coupons = fc
  .uniqueArray(
    fc.record({
      slot: fc.constantFrom("PLATFORM", ...SHOPS),
      thresholdMinor: fc.oneof(
        { weight: 3, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 40_000 }) },
      ),
      discountMinor: fc.integer({ min: 1, max: 20_000 }),
      skuIds: fc.option(fc.subarray(SKUS, { minLength: 1 }), { nil: null, freq: 3 }),
      categories: fc.option(fc.subarray(CATEGORIES, { minLength: 1 }), { nil: null, freq: 3 }),
    }),
    { maxLength: 3, selector: (c) => c.slot },
  )
  .map((raw): Coupon[] =>
    raw.map((c, i) =>
      coupon(`CP${i}`, {
        scope: c.slot === "PLATFORM" ? "PLATFORM" : "SHOP",
        shopId: c.slot === "PLATFORM" ? null : c.slot,
        thresholdMinor: c.thresholdMinor,
        discountMinor: c.discountMinor,
        skuIds: c.skuIds,
        categories: c.categories,
      }),
    ),
  );

/** Random checkouts over three shops with random campaigns, tier, coupons, coins and shipping rules. */
export const pricingInputs: fc.Arbitrary<PricingInput> = fc
  .record({
    lines,
    campaigns,
    coupons,
    member: fc.option(
      fc.record({
        tier: fc.constantFrom("GOLD", "SUPER"),
        percent: fc.integer({ min: 80, max: 100 }),
        stacksWithItemPromotion: fc.boolean(),
      }),
      { nil: null },
    ),
    coins: fc.oneof(
      { weight: 3, arbitrary: fc.constant(0) },
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 3_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 50_000 }) },
    ),
    coinsBalance: fc.integer({ min: 0, max: 50_000 }),
    coinsPolicy: fc.record({
      coinsPerYuan: fc.constantFrom(100, 100, 50, 10, 1_000, 3),
      capPercent: fc.oneof(fc.constant(50), fc.integer({ min: 0, max: 100 })),
    }),
    shipping: fc.dictionary(
      fc.constantFrom(...SHOPS),
      fc.record({
        feeMinor: fc.integer({ min: 0, max: 2_000 }),
        freeOverMinor: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: null }),
      }),
    ),
  })
  .map((r) => {
    // A shop coupon for a shop not in the cart is refused by example tests; here it would only crowd out pricing.
    const shops = new Set(r.lines.map((l) => l.shopId));
    return { ...r, coupons: r.coupons.filter((c) => c.shopId === null || shops.has(c.shopId)) };
  })
  .map((r) => ({
    ...r,
    // Whole coin steps only (multiples of 3 at 3 coins per yuan): the refusal of others is tested by example.
    coins: r.coins - (r.coins % coinsStepOf(r.coinsPolicy).coins),
    buyerId: "B1",
    couponIds: r.coupons.map((c) => c.couponId),
  }));
