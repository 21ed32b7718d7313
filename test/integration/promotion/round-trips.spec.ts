import type { Pool } from "pg";
import type { PriceResult } from "../../../shared/contracts/promotion.contract";
import { startSystem, type TestSystem } from "../../support/system";
import { callLocal, tag } from "./helpers";

const DAY = 86_400_000;

describe("promotion database round trips", () => {
  let system: TestSystem;
  let pool: Pool;
  const t = tag();
  const shop = `S-${t}`;
  const buyerId = `buyer-${t}`;
  let couponId: string;
  const price = (params: object = {}) =>
    callLocal<PriceResult>(system, "promotion.price", {
      buyerId,
      lines: [
        {
          lineId: "L1",
          skuId: `sku-${t}`,
          shopId: shop,
          category: "general",
          unitPriceMinor: 20_000,
          quantity: 1,
          deductionStrategy: "DEDUCT_ON_PAYMENT",
        },
      ],
      at: new Date().toISOString(),
      ...params,
    });

  /** The statements `work` sends on the service's pool (the outbox relay's own housekeeping left out). */
  async function statementsOf(work: () => Promise<unknown>): Promise<number> {
    const spy = jest.spyOn(pool, "query");
    try {
      await work();
      const textOf = (sql: unknown) => (typeof sql === "string" ? sql : (sql as { text: string }).text);
      return spy.mock.calls.filter(([sql]) => !textOf(sql).includes("outbox")).length;
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(async () => {
    system = await startSystem(["promotion"]);
    pool = (system.broker.getLocalService("promotion") as unknown as { pool: Pool }).pool;
    const window = { validFrom: new Date(Date.now() - DAY), validTo: new Date(Date.now() + DAY) };
    await callLocal(system, "promotion.createCouponTemplate", {
      templateId: `T-${t}`,
      scope: "SHOP",
      shopId: shop,
      thresholdMinor: 0,
      discountMinor: 500,
      validFrom: window.validFrom.toISOString(),
      validTo: window.validTo.toISOString(),
    });
    couponId = (await callLocal(system, "promotion.issueCoupon", { templateId: `T-${t}`, userId: buyerId }))
      .couponId;
    await callLocal(system, "promotion.adjustCoins", { userId: buyerId, delta: 1_000, reason: "grant" });
  });
  afterAll(() => system.stop());

  // Each counted call follows a warm-up: the configuration it reads is then cached (TTL 5 s).
  it("prices a checkout without coupons or coins in one round trip", async () => {
    await price();
    expect(await statementsOf(() => price())).toBe(1);
  });

  it("prices a checkout with a coupon and coins in one round trip, also when re-pricing a lock", async () => {
    const rich = { couponIds: [couponId], coins: 300 };
    await price();
    expect(await statementsOf(() => price(rich))).toBe(1);
    const lockId = `P-${t}`;
    await callLocal(system, "promotion.lock", { lockId, buyerId, ...rich });
    let repriced: PriceResult | undefined;
    expect(await statementsOf(async () => (repriced = await price({ ...rich, lockId })))).toBe(1);
    expect(repriced?.totals).toMatchObject({ couponDiscountMinor: 500, coinsDeductionMinor: 300 });
    await callLocal(system, "promotion.unlock", { lockId, reason: "test" });
  });

  it("unlocks an unknown lock id in one round trip and a held lock in two", async () => {
    const unlock = (lockId: string) => callLocal(system, "promotion.unlock", { lockId, reason: "test" });
    expect(await statementsOf(() => unlock(`none-${t}`))).toBe(1);
    const lockId = `Q-${t}`;
    await callLocal(system, "promotion.lock", { lockId, buyerId, couponIds: [couponId], coins: 1_000 });
    expect(await statementsOf(() => unlock(lockId))).toBe(2);
    const all = await price({ couponIds: [couponId], coins: 1_000 });
    expect(all.totals).toMatchObject({ couponDiscountMinor: 500, coinsDeductionMinor: 1_000 });
  });
});
