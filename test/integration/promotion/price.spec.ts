import type { PriceResult, ShopPrice } from "../../../shared/contracts/promotion.contract";
import { startSystem, type TestSystem } from "../../support/system";
import { callLocal, tag } from "./helpers";

const DAY = 86_400_000;

describe("promotion.price against PostgreSQL", () => {
  let system: TestSystem;
  const t = tag();
  const shop = `S-${t}`;
  const buyerId = `buyer-${t}`;
  let couponId: string;
  const line = (lineId: string, unitPriceMinor: number, quantity: number) => ({
    lineId,
    skuId: `${lineId}-sku`,
    shopId: shop,
    category: "general",
    unitPriceMinor,
    quantity,
    deductionStrategy: "DEDUCT_ON_PAYMENT",
  });
  const price = (params: object) =>
    callLocal<PriceResult>(system, "promotion.price", { buyerId, at: new Date().toISOString(), ...params });

  beforeAll(async () => {
    system = await startSystem(["promotion"]);
    const window = {
      startsAt: new Date(Date.now() - DAY).toISOString(),
      endsAt: new Date(Date.now() + DAY).toISOString(),
    };
    await callLocal(system, "promotion.createCampaign", {
      campaignId: `TH-${t}`,
      kind: "THRESHOLD_DISCOUNT",
      shopId: shop,
      thresholdMinor: 30_000,
      discountMinor: 3_000,
      ...window,
    });
    await callLocal(system, "promotion.createCampaign", {
      campaignId: `FL-${t}`,
      kind: "FLASH_PRICE",
      shopId: shop,
      skuIds: ["L1-sku"],
      flashPriceMinor: 9_000,
      paymentTimeout: "5m",
      deductionStrategy: "RESERVE_ON_ORDER",
      ...window,
    });
    await callLocal(system, "promotion.createCouponTemplate", {
      templateId: `T-${t}`,
      scope: "PLATFORM",
      thresholdMinor: 10_000,
      discountMinor: 1_000,
      validFrom: window.startsAt,
      validTo: window.endsAt,
    });
    couponId = (await callLocal(system, "promotion.issueCoupon", { templateId: `T-${t}`, userId: buyerId }))
      .couponId;
    await callLocal(system, "promotion.setMemberTier", { userId: buyerId, tier: "SUPER" });
    await callLocal(system, "promotion.adjustCoins", { userId: buyerId, delta: 2_000, reason: "grant" });
    await callLocal(system, "promotion.setShopShipping", {
      shopId: shop,
      feeMinor: 800,
      freeOverMinor: 50_000,
    });
  });
  afterAll(() => system.stop());

  it("prices with the stored campaigns, tier, coupon, coins and shipping rule", async () => {
    const result = await price({
      lines: [line("L1", 10_000, 1), line("L2", 12_000, 2)],
      couponIds: [couponId],
      coins: 1_000,
    });
    // L1 flash 10 000 -> 9 000; L2 24 000 x 98 % = 23 520; threshold 3 000 over 32 520; coupon 1 000; coins 1 000.
    expect(result.totals).toMatchObject({
      goodsMinor: 34_000,
      itemDiscountMinor: 1_000,
      memberDiscountMinor: 480,
      shopDiscountMinor: 3_000,
      couponDiscountMinor: 1_000,
      coinsDeductionMinor: 1_000,
      shippingFeeMinor: 800,
      payableMinor: 28_320,
    });
    expect(result.shops[0]).toMatchObject({ paymentTimeoutMs: 300_000 });
    expect(result.shops[0]?.lines[0]).toMatchObject({
      deductionStrategy: "RESERVE_ON_ORDER",
      campaignId: `FL-${t}`,
    });
    expect(result.memberTier).toBe("SUPER");
  });

  it("ignores campaigns outside the pricing time", async () => {
    const result = await price({
      lines: [line("L1", 10_000, 1)],
      at: new Date(Date.now() + 2 * DAY).toISOString(),
    });
    expect(result.totals.itemDiscountMinor).toBe(0);
  });

  it("counts what the caller's own lock holds when re-pricing a locked checkout", async () => {
    const lockId = `P-${t}`;
    await callLocal(system, "promotion.lock", { lockId, buyerId, couponIds: [couponId], coins: 2_000 });
    const params = { lines: [line("L2", 12_000, 2)], couponIds: [couponId], coins: 2_000 };
    await expect(price(params)).rejects.toMatchObject({ type: "COUPON_UNAVAILABLE" });
    const repriced = await price({ ...params, lockId });
    expect(repriced.totals.coinsDeductionMinor).toBe(2_000);
    await callLocal(system, "promotion.unlock", { lockId, reason: "test" });
  });

  it("reports coupon and coins refusals with the API's details", async () => {
    await expect(price({ lines: [line("L2", 1_000, 1)], couponIds: [couponId] })).rejects.toMatchObject({
      type: "COUPON_THRESHOLD_NOT_MET",
      data: { couponId, thresholdMinor: 10_000 },
    });
    // 1 000 at 98 % = 980; half of it is 490 fen = 490 coins.
    await expect(price({ lines: [line("L2", 1_000, 1)], coins: 491 })).rejects.toMatchObject({
      type: "COINS_OVER_CAP",
      data: { field: "coins", maxCoins: 490 },
    });
    await expect(price({ lines: [line("L2", 100_000, 1)], coins: 2_001 })).rejects.toMatchObject({
      type: "INSUFFICIENT_COINS",
      data: { field: "coins" },
    });
  });

  it("validates params naming the field", async () => {
    await expect(price({ lines: [{ ...line("L1", 100, 1), quantity: 0 }] })).rejects.toMatchObject({
      type: "VALIDATION_ERROR",
      data: [expect.objectContaining({ field: "lines[0].quantity" })],
    });
  });

  it("quotes for a buyer caller with their own id", async () => {
    const quote = await callLocal<PriceResult>(
      system,
      "promotion.quote",
      { lines: [line("L2", 12_000, 1)] },
      { userId: buyerId, role: "buyer" },
    );
    expect(quote.memberTier).toBe("SUPER");
    await expect(
      callLocal(
        system,
        "promotion.quote",
        { buyerId: "someone", lines: [line("L2", 1, 1)] },
        { userId: buyerId, role: "buyer" },
      ),
    ).rejects.toMatchObject({ type: "FORBIDDEN" });
  });
  it("reprices a stored child order the way the order service calls it", async () => {
    const priced = await price({ lines: [line("L2", 12_000, 2)], couponIds: [couponId], coins: 1_000 });
    const stored = priced.shops[0] as ShopPrice;
    // The order keeps more on its lines and amounts than pricing returned; reprice passes it through.
    const shopPrice = {
      ...stored,
      lines: stored.lines.map((l) => ({ ...l, title: "Kettle", refundedMinor: 0 })),
      amounts: { ...stored.amounts, paidMinor: 0, refundedMinor: 0 },
    };
    const next = await callLocal<ShopPrice>(system, "promotion.reprice", {
      shopPrice,
      adjustments: [{ lineId: "L2", unitPriceMinor: 10_000 }],
      shippingFeeMinor: 0,
    });
    // 24 000 at 98 % = 23 520 -> 20 000: a cut of 3 520; coupon and coins kept.
    expect(next.amounts).toMatchObject({
      priceAdjustmentMinor: 3_520,
      couponDiscountMinor: 1_000,
      shippingFeeMinor: 0,
    });
    expect(next.amounts.payableMinor).toBe(
      stored.amounts.payableMinor - 3_520 - stored.amounts.shippingFeeMinor,
    );
    expect(next.lines[0]).toMatchObject({ title: "Kettle", paidMinor: 18_000 });
    // 1 000 left covers the 1 000 coupon exactly; nothing is left for the 1 000 fen of coins.
    await expect(
      callLocal(system, "promotion.reprice", {
        shopPrice,
        adjustments: [{ lineId: "L2", unitPriceMinor: 500 }],
      }),
    ).rejects.toMatchObject({ type: "PAYABLE_NEGATIVE", data: { kind: "COINS", availableMinor: 0 } });
  });
});
