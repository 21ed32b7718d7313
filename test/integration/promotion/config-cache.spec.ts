import type { PriceResult } from "../../../shared/contracts/promotion.contract";
import { startSystem, type TestSystem, waitFor } from "../../support/system";
import { callLocal, tag } from "./helpers";

const DAY = 86_400_000;
// Far inside the 5 s cache TTL: seeing a change this soon proves it was pushed, not re-read on expiry.
const PUSH_BOUND_MS = 1_000;

type EventListing = { name: string; endpoints?: { nodeID: string }[] };

describe("promotion pricing configuration cache", () => {
  let a: TestSystem;
  let b: TestSystem;
  const t = tag();
  const window = () => ({
    startsAt: new Date(Date.now() - DAY).toISOString(),
    endsAt: new Date(Date.now() + DAY).toISOString(),
  });
  const line = (shopId: string, unitPriceMinor: number) => ({
    lineId: "L1",
    skuId: `sku-${t}`,
    shopId,
    category: "general",
    unitPriceMinor,
    quantity: 1,
    deductionStrategy: "DEDUCT_ON_PAYMENT",
  });
  const price = (system: TestSystem, shopId: string, buyerId = `buyer-${t}`) =>
    callLocal<PriceResult>(system, "promotion.price", {
      buyerId,
      lines: [line(shopId, 10_000)],
      at: new Date().toISOString(),
    });

  /** Polls `probe` until it holds; returns how long that took (throws past PUSH_BOUND_MS). */
  async function msUntil(probe: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await probe())) {
      if (Date.now() - started > PUSH_BOUND_MS) throw new Error(`not seen within ${PUSH_BOUND_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return Date.now() - started;
  }

  /** Whether `from` knows that `to` listens for configuration changes (a broadcast skips pods not yet discovered). */
  const hears = async (from: TestSystem, to: TestSystem) => {
    const events = await from.broker.call<EventListing[], object>("$node.events", { withEndpoints: true });
    const listeners = events.find((event) => event.name === "promotion.configChanged")?.endpoints ?? [];
    return listeners.some((endpoint) => endpoint.nodeID === to.broker.nodeID);
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startSystem(["promotion"]), startSystem(["promotion"])]);
    await waitFor("the pods to discover each other", async () => (await hears(a, b)) && hears(b, a));
  });
  afterAll(() => Promise.all([a.stop(), b.stop()]));

  it("prices a campaign created a moment ago on the same pod, whose cache was warm", async () => {
    const shop = `S1-${t}`;
    expect((await price(a, shop)).totals.itemDiscountMinor).toBe(0);
    await callLocal(a, "promotion.createCampaign", {
      campaignId: `P-${t}`,
      kind: "PERCENT_OFF",
      shopId: shop,
      percentOff: 10,
      ...window(),
    });
    expect((await price(a, shop)).totals.itemDiscountMinor).toBe(1_000);
  });

  it("applies a tier benefit and a shipping rule changed a moment ago on the same pod", async () => {
    const shop = `S2-${t}`;
    const tier = `T${t.toUpperCase()}`;
    const buyerId = `tiered-${t}`;
    await callLocal(a, "promotion.setTierBenefit", { tier, percent: 95 });
    await callLocal(a, "promotion.setMemberTier", { userId: buyerId, tier });
    const before = await price(a, shop, buyerId);
    expect(before.totals).toMatchObject({ memberDiscountMinor: 500, shippingFeeMinor: 1_000 });
    await callLocal(a, "promotion.setTierBenefit", { tier, percent: 90 });
    await callLocal(a, "promotion.setShopShipping", { shopId: shop, feeMinor: 700 });
    const after = await price(a, shop, buyerId);
    expect(after.totals).toMatchObject({ memberDiscountMinor: 1_000, shippingFeeMinor: 700 });
  });

  it("pushes a campaign created on one pod to another pod's warm cache, well before the TTL", async () => {
    const shop = `S3-${t}`;
    expect((await price(b, shop)).totals.itemDiscountMinor).toBe(0);
    await callLocal(a, "promotion.createCampaign", {
      campaignId: `Q-${t}`,
      kind: "PERCENT_OFF",
      shopId: shop,
      percentOff: 20,
      ...window(),
    });
    const ms = await msUntil(async () => (await price(b, shop)).totals.itemDiscountMinor === 2_000);
    expect(ms).toBeLessThan(PUSH_BOUND_MS);
  });

  it("pushes a shipping rule changed on one pod to another pod's warm cache", async () => {
    const shop = `S4-${t}`;
    await callLocal(a, "promotion.setShopShipping", { shopId: shop, feeMinor: 600 });
    await msUntil(async () => (await price(b, shop)).totals.shippingFeeMinor === 600);
    await callLocal(a, "promotion.setShopShipping", { shopId: shop, feeMinor: 400 });
    await msUntil(async () => (await price(b, shop)).totals.shippingFeeMinor === 400);
  });
});
