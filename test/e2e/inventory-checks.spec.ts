import { randomBytes } from "node:crypto";
import { StockKeys } from "../../services/inventory/stock/stock-keys";
import { loadConfig } from "../../shared/config/config";
import { createRedis } from "../../shared/redis";
import { devToken, request } from "../support/http";
import { freePort, spawnSystem } from "../support/processes";
import { startSystem, type TestSystem, waitFor } from "../support/system";

const uid = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const cfg = loadConfig();

describe("stock checks over HTTP, and the operators told of new drift and of its end", () => {
  let system: TestSystem;
  let url: string;
  let admin: string;
  let merchant: string;
  const redis = createRedis(cfg);
  const shop = uid("shop");
  const wh = uid("wh");
  const call = (method: string, path: string, token: string, body?: unknown) =>
    request(url, method, `/api/v1${path}`, { token, body });
  /** A node's messages in a caller's inbox about one check (earlier files' checks may be told too). */
  const toldOf = async (token: string, checkId: number, node = "STOCK_DRIFTED") =>
    (await call("GET", "/me/messages?limit=100", token)).body.items.filter(
      (m: { node: string; text: string }) => m.node === node && m.text.includes(`#${checkId}（`),
    );

  beforeAll(async () => {
    system = await startSystem(["gateway", "inventory", "notification"]);
    url = system.baseUrl;
    admin = await devToken(url, "admin-1", "admin");
    merchant = await devToken(url, "m-1", "merchant", shop);
    await call("POST", "/warehouses", admin, { warehouseId: wh, name: "Wuhan", provinces: ["Hubei"] });
    await call("POST", "/admin/inventory/rebuild", admin);
  });
  let stopped = false;
  afterAll(async () => {
    if (!stopped) await system.stop();
    redis.disconnect();
  });

  it("records a check an operator runs, tells the operators' inbox of new drift and no shop", async () => {
    const skuId = uid("sku");
    const created = await call("POST", "/skus", merchant, {
      skuId,
      shopId: shop,
      title: "Tea",
      spec: "250 g",
      priceMinor: 4_800,
      category: "food",
      storageClass: "AMBIENT",
      weightGrams: 250,
      volumeCm3: 600,
      deductionStrategy: "RESERVE_ON_ORDER",
    });
    expect(created.status).toBe(201);
    await call("PUT", `/skus/${skuId}/stock/${wh}`, merchant, { onHand: 10 });
    // The first may follow an earlier file's drifted check (and tell that it cleared).
    await call("POST", "/admin/inventory/checks", admin);
    const before = (await call("POST", "/admin/inventory/checks", admin)).body;
    expect(before).toMatchObject({ ok: true, announced: false });

    // A counter changed behind the scripts' back: 2 units fewer on hand than the ledger says.
    await redis.hincrby(new StockKeys(cfg).stock(skuId), `${wh}:on`, -2);
    const found = await call("POST", "/admin/inventory/checks", admin);
    expect(found.status).toBe(201);
    expect(found.body).toMatchObject({ ok: false, driftCount: 1, byKind: { STOCK: 1 }, announced: true });

    let told: { title: string; text: string; orderNo: string | null }[] = [];
    await waitFor("the operators told", async () => {
      told = await toldOf(admin, found.body.checkId);
      return told.length > 0;
    });
    expect(told).toEqual([
      expect.objectContaining({
        title: "库存计数与台账不一致",
        orderNo: null,
        text: expect.stringMatching(/）发现 1 处 Redis 计数与台账不一致：STOCK ×1。/),
      }),
    ]);
    expect(await toldOf(merchant, found.body.checkId)).toEqual([]);

    const listed = await call("GET", "/admin/inventory/checks?limit=2", admin);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { checkId: number }) => c.checkId)).toEqual([
      found.body.checkId,
      before.checkId,
    ]);

    // Rebuilt from the ledger: the next check is clean and says so, naming the check that found the drift.
    await call("POST", "/admin/inventory/rebuild", admin);
    const cleared = await call("POST", "/admin/inventory/checks", admin);
    expect(cleared.body).toMatchObject({ ok: true, announced: true });
    await waitFor(
      "the operators told the drift cleared",
      async () => (await toldOf(admin, cleared.body.checkId, "STOCK_DRIFT_CLEARED")).length > 0,
    );
    expect(await toldOf(admin, cleared.body.checkId, "STOCK_DRIFT_CLEARED")).toEqual([
      expect.objectContaining({
        title: "库存计数与台账已一致",
        text: expect.stringContaining(`核对 #${found.body.checkId} 发现的不一致已消除`),
      }),
    ]);
    expect(await toldOf(merchant, cleared.body.checkId, "STOCK_DRIFT_CLEARED")).toEqual([]);
  });

  it("lets only operators run or read checks, and names a bad query field", async () => {
    expect((await call("POST", "/admin/inventory/checks", merchant)).status).toBe(403);
    expect((await call("GET", "/admin/inventory/checks", merchant)).status).toBe(403);
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["cursor=abc", "cursor"],
    ]) {
      const res = await call("GET", `/admin/inventory/checks?${query}`, admin);
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field } });
    }
    const doc = await request(url, "GET", "/api/openapi.json");
    expect(doc.body.paths["/api/v1/admin/inventory/checks"]).toMatchObject({
      get: expect.any(Object),
      post: expect.any(Object),
    });
  });

  it("checks by itself once deployed with a schedule (the tests run theirs with it off)", async () => {
    const newest = async (base: string) =>
      (await request(base, "GET", "/api/v1/admin/inventory/checks?limit=1", { token: admin })).body.items[0];
    const before = (await newest(url))?.checkId ?? 0;
    // Alone: a pod with the check off would take the tick and have nothing to run.
    await system.stop();
    stopped = true;
    // A new scheduler ticks at once, then every hour: the first tick is the one to see.
    const port = await freePort();
    const scheduled = spawnSystem("gateway,inventory", { PORT: String(port), INVENTORY_CHECK_EVERY: "1h" });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        "a scheduled check",
        async () => ((await newest(base).catch(() => null))?.checkId ?? 0) > before,
      );
      expect(await newest(base)).toMatchObject({ ok: true, announced: false });
    } catch (err) {
      throw new Error(`${err}\n${scheduled.output().slice(-2000)}`);
    } finally {
      await scheduled.stop();
    }
  });
});
