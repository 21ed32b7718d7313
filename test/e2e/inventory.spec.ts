import { randomBytes } from "node:crypto";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem } from "../support/system";

const uid = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

describe("catalog and stock over HTTP", () => {
  let system: TestSystem;
  let url: string;
  let admin: string;
  let merchant: string;
  let otherMerchant: string;
  let buyer: string;
  const shop = uid("shop");
  const wh = uid("wh");
  const skuBody = (skuId: string, extra: Record<string, unknown> = {}) => ({
    skuId,
    shopId: shop,
    title: "Linen shirt",
    spec: "white / L",
    priceMinor: 12900,
    imageUrl: "https://img.example.com/shirt.jpg",
    category: "apparel",
    storageClass: "AMBIENT",
    weightGrams: 250,
    volumeCm3: 1800,
    deductionStrategy: "RESERVE_ON_ORDER",
    ...extra,
  });
  const call = (method: string, path: string, token: string, body?: unknown) =>
    request(url, method, `/api/v1${path}`, { token, body });

  beforeAll(async () => {
    // The gateway and the service under test: other services' readiness does not matter here.
    system = await startSystem(["gateway", "inventory"]);
    url = system.baseUrl;
    admin = await devToken(url, "admin-1", "admin");
    merchant = await devToken(url, "m-1", "merchant", shop);
    otherMerchant = await devToken(url, "m-2", "merchant", uid("other-shop"));
    buyer = await devToken(url, "b-1", "buyer");
    const res = await call("POST", "/warehouses", admin, {
      warehouseId: wh,
      name: "Hangzhou",
      provinces: ["Zhejiang"],
    });
    expect(res.status).toBe(201);
  });
  afterAll(() => system.stop());

  it("creates a warehouse once (admin only)", async () => {
    const again = await call("POST", "/warehouses", admin, { warehouseId: wh, name: "x", provinces: [] });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "ALREADY_EXISTS", details: { warehouseId: wh } });
    const byMerchant = await call("POST", "/warehouses", merchant, {
      warehouseId: uid("w"),
      name: "x",
      provinces: [],
    });
    expect(byMerchant.status).toBe(403);
    const list = await call("GET", "/warehouses", admin);
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ warehouseId: wh, provinces: ["Zhejiang"] }),
    );
  });

  it("lets a merchant create a SKU for its shop, set stock and read it back with live figures", async () => {
    const skuId = uid("sku");
    const created = await call("POST", "/skus", merchant, skuBody(skuId, { purchaseLimitPerUser: 2 }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      skuId,
      shopId: shop,
      priceMinor: 12900,
      declaredValueMinor: 12900,
      purchaseLimitPerUser: 2,
      onSale: true,
      stock: [],
    });
    const dup = await call("POST", "/skus", merchant, skuBody(skuId));
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("ALREADY_EXISTS");

    const set = await call("PUT", `/skus/${skuId}/stock/${wh}`, merchant, { onHand: 40, safetyStock: 5 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      skuId,
      warehouseId: wh,
      onHand: 40,
      reserved: 0,
      safetyStock: 5,
      available: 35,
    });

    const read = await call("GET", `/skus/${skuId}`, merchant);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      skuId,
      title: "Linen shirt",
      spec: "white / L",
      deductionStrategy: "RESERVE_ON_ORDER",
    });
    expect(read.body.stock).toEqual([
      { warehouseId: wh, onHand: 40, reserved: 0, safetyStock: 5, available: 35 },
    ]);
    expect(typeof read.body.createdAt).toBe("string");

    const patched = await call("PATCH", `/skus/${skuId}`, merchant, { onSale: false, priceMinor: 9900 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ onSale: false, priceMinor: 9900, purchaseLimitPerUser: 2 });
  });

  it("answers 422 WAREHOUSE_NOT_FOUND for stock in an unknown warehouse, and 404 for an unknown SKU", async () => {
    const skuId = uid("sku");
    await call("POST", "/skus", merchant, skuBody(skuId));
    const res = await call("PUT", `/skus/${skuId}/stock/nowhere`, merchant, { onHand: 1 });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: "WAREHOUSE_NOT_FOUND",
      details: { warehouseId: "nowhere" },
    });
    expect((await call("GET", `/skus/${skuId}`, merchant)).body.stock).toEqual([]);
    const missing = await call("GET", `/skus/${uid("nope")}`, admin);
    expect(missing.status).toBe(404);
  });

  it("keeps a merchant away from another shop's SKUs (403)", async () => {
    const skuId = uid("sku");
    const foreign = await call("POST", "/skus", otherMerchant, skuBody(skuId));
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe("FORBIDDEN");
    expect((await call("GET", `/skus/${skuId}`, admin)).status).toBe(404);

    expect((await call("POST", "/skus", merchant, skuBody(skuId))).status).toBe(201);
    expect((await call("PATCH", `/skus/${skuId}`, otherMerchant, { priceMinor: 1 })).status).toBe(403);
    expect((await call("PUT", `/skus/${skuId}/stock/${wh}`, otherMerchant, { onHand: 1 })).status).toBe(403);
    expect((await call("GET", `/skus/${skuId}`, otherMerchant)).status).toBe(403);
    const read = await call("GET", `/skus/${skuId}`, admin);
    expect(read.body).toMatchObject({ priceMinor: 12900, stock: [] });
  });

  it("does not let a buyer create SKUs or run inventory operations (403)", async () => {
    expect((await call("POST", "/skus", buyer, skuBody(uid("sku")))).status).toBe(403);
    expect((await call("GET", "/admin/inventory/reconcile", buyer)).status).toBe(403);
    expect((await call("POST", "/admin/inventory/rebuild", merchant)).status).toBe(403);
  });

  it.each([
    ["a negative price", { priceMinor: -1 }, "priceMinor"],
    ["a fractional weight", { weightGrams: 2.5 }, "weightGrams"],
    ["an unknown strategy", { deductionStrategy: "WHENEVER" }, "deductionStrategy"],
    ["a missing title", { title: undefined }, "title"],
    ["a price sent as a string", { priceMinor: "100" }, "priceMinor"],
    ["a SKU id with a colon", { skuId: "a:b" }, "skuId"],
    ["a zero purchase limit", { purchaseLimitPerUser: 0 }, "purchaseLimitPerUser"],
  ])("refuses %s with 422 naming the field and writes nothing", async (_what, change, field) => {
    const skuId = uid("bad");
    const res = await call("POST", "/skus", merchant, skuBody(skuId, change));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field } });
    expect((await call("GET", `/skus/${skuId}`, admin)).status).toBe(404);
  });

  it("refuses negative or fractional stock with 422 naming the field", async () => {
    const skuId = uid("sku");
    await call("POST", "/skus", merchant, skuBody(skuId));
    const negative = await call("PUT", `/skus/${skuId}/stock/${wh}`, merchant, { onHand: -3 });
    expect(negative.status).toBe(422);
    expect(negative.body.error.details.field).toBe("onHand");
    const fractional = await call("PUT", `/skus/${skuId}/stock/${wh}`, merchant, { onHand: 1.5 });
    expect(fractional.body.error.details.field).toBe("onHand");
    expect((await call("GET", `/skus/${skuId}`, merchant)).body.stock).toEqual([]);
  });

  it("rebuilds and reconciles on an admin's request", async () => {
    const skuId = uid("sku");
    await call("POST", "/skus", merchant, skuBody(skuId));
    await call("PUT", `/skus/${skuId}/stock/${wh}`, merchant, { onHand: 12 });
    const rebuilt = await call("POST", "/admin/inventory/rebuild", admin);
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toMatchObject({ rebuiltAt: expect.any(String), stockRows: expect.any(Number) });
    expect((await call("GET", `/skus/${skuId}`, admin)).body.stock).toEqual([
      { warehouseId: wh, onHand: 12, reserved: 0, safetyStock: 0, available: 12 },
    ]);
    const report = await call("GET", "/admin/inventory/reconcile", admin);
    expect(report.status).toBe(200);
    expect(typeof report.body.ok).toBe("boolean");
    expect(report.body.drift.filter((d: { skuId?: string }) => d.skuId === skuId)).toEqual([]);
  });

  it("lists the inventory routes in the OpenAPI document", async () => {
    const doc = await request(url, "GET", "/api/openapi.json");
    expect(doc.body.paths["/api/v1/skus/{skuId}/stock/{warehouseId}"].put).toBeDefined();
    expect(doc.body.paths["/api/v1/admin/inventory/reconcile"].get).toBeDefined();
  });

  it("offers shipping, unreserving and restocking stock to services only, not over HTTP", async () => {
    const doc = await request(url, "GET", "/api/openapi.json");
    expect(Object.keys(doc.body.paths).filter((p) => /restock|unreserve|inventory\/ship/.test(p))).toEqual(
      [],
    );
    for (const action of ["ship", "unreserve", "restock"])
      expect((await call("POST", `/inventory/${action}`, admin, {})).status).toBe(404);
  });
});
