import { address, CatalogBuilder, uniqueId } from "../support/catalog";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem, waitFor } from "../support/system";

/** Runs `task` for 0..n-1 with at most `width` in flight. */
async function inParallel<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

describe("checkout under concurrency", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
  });
  afterAll(() => system.stop());

  it("sells exactly 50 units to 500 concurrent buyers; Redis, the ledger and the orders agree", async () => {
    const shop = uniqueId("shop");
    const wh = await catalog.warehouse(["Guangdong"]);
    const skuId = await catalog.sku({ shopId: shop, priceMinor: 9_900, stock: { [wh]: 50 } });
    const tokens = await Promise.all(
      Array.from({ length: 500 }, (_x, i) => devToken(url, `rush-${skuId}-${i}`, "buyer")),
    );
    const answers = await inParallel(500, 100, (i) =>
      request(url, "POST", "/api/v1/orders", {
        token: tokens[i],
        body: { lines: [{ skuId, quantity: 1 }], address: address("Guangdong"), sourceChannel: "APP" },
      }),
    );
    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 422);
    expect(created).toHaveLength(50);
    expect(refused).toHaveLength(450);
    for (const r of refused) expect(r.body.error).toMatchObject({ code: "OUT_OF_STOCK", details: { skuId } });

    const stock = (await catalog.stock(skuId)).find((s) => s.warehouseId === wh);
    expect(stock).toMatchObject({ onHand: 50, reserved: 50, available: 0 });
    const merchant = await catalog.merchantToken(shop);
    const orders = await request(url, "GET", `/api/v1/orders?skuId=${skuId}&limit=100`, { token: merchant });
    expect(orders.body.items).toHaveLength(50);
    await waitFor("the ledger to agree with Redis", async () => {
      const drift = await request(url, "GET", "/api/v1/admin/inventory/reconcile", {
        token: catalog.adminToken,
      });
      return drift.status === 200 && drift.body.ok === true;
    });
  });

  it("lets one buyer with a purchase limit of 1 win exactly one of 200 concurrent orders", async () => {
    const shop = uniqueId("shop");
    const wh = await catalog.warehouse(["Sichuan"]);
    const skuId = await catalog.sku({
      shopId: shop,
      priceMinor: 1_999,
      stock: { [wh]: 1_000 },
      purchaseLimitPerUser: 1,
    });
    const token = await devToken(url, uniqueId("eager"), "buyer");
    const answers = await inParallel(200, 64, () =>
      request(url, "POST", "/api/v1/orders", {
        token,
        body: { lines: [{ skuId, quantity: 1 }], address: address("Sichuan"), sourceChannel: "MINI_PROGRAM" },
      }),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused).toHaveLength(199);
    for (const r of refused) expect(r.body.error.code).toBe("PURCHASE_LIMIT_EXCEEDED");
    const stock = (await catalog.stock(skuId)).find((s) => s.warehouseId === wh);
    expect(stock).toMatchObject({ reserved: 1, available: 999 });
  });
});
