import { address, CatalogBuilder, expectOk, uniqueId } from "../support/catalog";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem, waitFor } from "../support/system";

describe("checkout refuses bad input and holds nothing", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;
  let shop: string;
  let wh: string;
  let skuId: string;
  let offSale: string;
  let buyerId: string;
  let token: string;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
    shop = uniqueId("shop");
    wh = await catalog.warehouse(["Hubei"]);
    skuId = await catalog.sku({
      shopId: shop,
      priceMinor: 5_000,
      stock: { [wh]: 20 },
      purchaseLimitPerUser: 3,
    });
    offSale = await catalog.sku({ shopId: shop, priceMinor: 5_000, stock: { [wh]: 20 } });
    expectOk(
      await request(url, "PATCH", `/api/v1/skus/${offSale}`, {
        token: catalog.adminToken,
        body: { onSale: false },
      }),
      "off sale",
    );
    buyerId = uniqueId("buyer");
    await catalog.member(buyerId, "NORMAL", 100);
    token = await devToken(url, buyerId, "buyer");
  });
  afterAll(() => system.stop());

  const order = (over: Record<string, unknown>) => ({
    lines: [{ skuId, quantity: 1 }],
    address: address("Hubei"),
    sourceChannel: "PC",
    ...over,
  });

  async function expectRefused(
    body: unknown,
    status: number,
    code: string,
    details: Record<string, unknown>,
  ) {
    const res = await request(url, "POST", "/api/v1/orders", { token, body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.details).toMatchObject(details);
    expect(res.body.error.stack).toBeUndefined();
  }

  afterEach(async () => {
    const stock = (await catalog.stock(skuId)).find((s) => s.warehouseId === wh);
    expect(stock).toMatchObject({ reserved: 0, available: 20 });
    const list = expectOk(await request(url, "GET", "/api/v1/orders", { token }), "list");
    expect(list.items).toEqual([]);
  });

  it.each([
    ["a zero quantity", { lines: [{ skuId: "x", quantity: 0 }] }, "lines[0].quantity"],
    ["a negative quantity", { lines: [{ skuId: "x", quantity: -2 }] }, "lines[0].quantity"],
    ["a fractional quantity", { lines: [{ skuId: "x", quantity: 1.5 }] }, "lines[0].quantity"],
    ["a huge quantity", { lines: [{ skuId: "x", quantity: 1e9 }] }, "lines[0].quantity"],
    ["a quantity as text", { lines: [{ skuId: "x", quantity: "2" }] }, "lines[0].quantity"],
    ["no lines", { lines: [] }, "lines"],
    ["a missing province", { address: { ...address(), province: undefined } }, "address.province"],
    ["an empty city", { address: { ...address(), city: "" } }, "address.city"],
    ["an unknown channel", { sourceChannel: "FAX" }, "sourceChannel"],
    ["negative coins", { coins: -5 }, "coins"],
  ])("refuses %s naming the field", async (_what, over, field) => {
    await expectRefused(order(over), 422, "VALIDATION_FAILED", { field });
  });

  it("refuses an unknown SKU, an off-sale SKU and a quantity above the purchase limit, naming the SKU", async () => {
    await expectRefused(order({ lines: [{ skuId: "no-such-sku", quantity: 1 }] }), 422, "SKU_NOT_FOUND", {
      skuId: "no-such-sku",
    });
    await expectRefused(order({ lines: [{ skuId: offSale, quantity: 1 }] }), 422, "SKU_OFF_SALE", {
      skuId: offSale,
    });
    await expectRefused(order({ lines: [{ skuId, quantity: 4 }] }), 422, "PURCHASE_LIMIT_EXCEEDED", {
      skuId,
      limit: 3,
    });
  });

  it("refuses a foreign, expired, below-threshold or unknown coupon", async () => {
    const tpl = await catalog.couponTemplate({
      scope: "PLATFORM",
      thresholdMinor: 1_000,
      discountMinor: 100,
    });
    const foreign = await catalog.issueCoupon(tpl, uniqueId("someone-else"));
    await expectRefused(order({ couponIds: [foreign] }), 422, "COUPON_UNAVAILABLE", { couponId: foreign });
    const highTpl = await catalog.couponTemplate({
      scope: "PLATFORM",
      thresholdMinor: 1_000_000,
      discountMinor: 100,
    });
    const high = await catalog.issueCoupon(highTpl, buyerId);
    await expectRefused(order({ couponIds: [high] }), 422, "COUPON_THRESHOLD_NOT_MET", { couponId: high });
    const oldTpl = await catalog.couponTemplate({
      scope: "PLATFORM",
      thresholdMinor: 0,
      discountMinor: 100,
      validFrom: new Date(Date.now() - 86_400_000).toISOString(),
      validTo: new Date(Date.now() + 1_500).toISOString(),
    });
    const expired = await catalog.issueCoupon(oldTpl, buyerId);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await expectRefused(order({ couponIds: [expired] }), 422, "COUPON_EXPIRED", { couponId: expired });
    await expectRefused(order({ couponIds: ["nope"] }), 422, "COUPON_NOT_FOUND", { couponId: "nope" });
  });

  it("refuses more coins than the balance or than the cap", async () => {
    await expectRefused(order({ coins: 10_000 }), 422, "INSUFFICIENT_COINS", { field: "coins" });
    const rich = uniqueId("rich");
    await catalog.member(rich, "NORMAL", 1_000_000);
    const richToken = await devToken(url, rich, "buyer");
    const res = await request(url, "POST", "/api/v1/orders", {
      token: richToken,
      body: order({ coins: 400_000 }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "COINS_OVER_CAP", details: { field: "coins" } });
  });

  it("refuses a coupon already locked by another unpaid order", async () => {
    const tpl = await catalog.couponTemplate({
      scope: "PLATFORM",
      thresholdMinor: 1_000,
      discountMinor: 100,
    });
    const other = uniqueId("other");
    const coupon = await catalog.issueCoupon(tpl, other);
    const otherToken = await devToken(url, other, "buyer");
    const first = await request(url, "POST", "/api/v1/orders", {
      token: otherToken,
      body: order({ couponIds: [coupon] }),
    });
    expect(first.status).toBe(201);
    const second = await request(url, "POST", "/api/v1/orders", {
      token: otherToken,
      body: order({ couponIds: [coupon] }),
    });
    expect(second.status).toBe(422);
    expect(second.body.error).toMatchObject({ code: "COUPON_UNAVAILABLE", details: { couponId: coupon } });
    const cancel = await request(url, "POST", `/api/v1/orders/${first.body.orders[0].orderNo}/cancel`, {
      token: otherToken,
      body: {},
    });
    expect(cancel.status).toBe(200);
    await waitFor("the cancelled order's stock to return", async () => {
      const stock = (await catalog.stock(skuId)).find((x) => x.warehouseId === wh);
      return stock?.reserved === 0;
    });
  });

  it("refuses an oversize body and wrong types in the body", async () => {
    const big = await request(url, "POST", "/api/v1/orders", {
      token,
      body: order({ buyerNote: "x".repeat(300 * 1024) }),
    });
    expect(big.status).toBe(413);
    await expectRefused({ ...order({}), lines: "all of them" }, 422, "VALIDATION_FAILED", { field: "lines" });
  });

  it("refuses checkout by a merchant", async () => {
    const merchant = await catalog.merchantToken(shop);
    const res = await request(url, "POST", "/api/v1/orders", { token: merchant, body: order({}) });
    expect(res.status).toBe(403);
  });
});
