import type { ServiceBroker } from "moleculer";
import type { StockCheck } from "../../../services/inventory/store/stock-check.repo";
import { startSystem, type TestSystem } from "../../support/system";
import { asAdmin, keys, openStores, sku, uid, warehouse } from "./inventory-fixture";

describe("the periodic stock check", () => {
  let system: TestSystem;
  let broker: ServiceBroker;
  const { pool, redis } = openStores();
  const wh = uid("wh");

  const check = () => broker.call<StockCheck, object>("inventory.checkStock", {}, asAdmin);
  /** The events (`inventory.drifted` unless named) recorded for a check. */
  const eventsOf = async (checkId: number, channel = "inventory.drifted") => {
    const { rows } = await pool.query(
      "SELECT payload FROM outbox WHERE channel = $1 AND (payload->>'checkId')::bigint = $2",
      [channel, checkId],
    );
    return rows.map((r) => r.payload);
  };
  /** A SKU whose Redis counter says 3 more reserved than the ledger. */
  const drifted = async () => {
    const skuId = uid("drift");
    await sku(broker, skuId, { [wh]: 7 });
    await broker.call("inventory.drainLedger", {});
    await redis.hincrby(keys.stock(skuId), `${wh}:res`, 3);
    return skuId;
  };

  beforeAll(async () => {
    system = await startSystem(["inventory"]);
    broker = system.broker;
    await warehouse(broker, wh, ["Hubei"]);
    // Counters from the ledger, whatever earlier files left in this run's schema.
    await broker.call("inventory.rebuild", {}, asAdmin);
  });
  afterAll(async () => {
    await system.stop();
    await pool.end();
    redis.disconnect();
  });

  it("records a clean check after a clean one and tells nobody", async () => {
    // The first may follow an earlier file's drifted check (and tell that it cleared).
    await check();
    const clean = await check();
    expect(clean).toMatchObject({ ok: true, driftCount: 0, byKind: {}, drift: [], announced: false });
    expect(await eventsOf(clean.checkId)).toEqual([]);
    expect(await eventsOf(clean.checkId, "inventory.drift-cleared")).toEqual([]);
  });

  it("tells of new drift once, with its event committed with the check", async () => {
    const skuId = await drifted();
    const found = await check();
    expect(found).toMatchObject({ ok: false, driftCount: 1, byKind: { STOCK: 1 }, announced: true });
    expect(found.drift).toEqual([
      {
        kind: "STOCK",
        skuId,
        warehouseId: wh,
        redis: { onHand: 7, reserved: 3, safetyStock: 0 },
        ledger: { onHand: 7, reserved: 0, safetyStock: 0 },
      },
    ]);
    expect(await eventsOf(found.checkId)).toEqual([
      { checkId: found.checkId, checkedAt: found.checkedAt, driftCount: 1, byKind: { STOCK: 1 } },
    ]);
    // The same drift an hour later (the counter moved further): recorded, not told again.
    await redis.hincrby(keys.stock(skuId), `${wh}:res`, 1);
    const again = await check();
    expect(again).toMatchObject({ driftCount: 1, announced: false });
    expect(await eventsOf(again.checkId)).toEqual([]);
  });

  it("tells again when the drift changes, that it cleared, and when it comes back", async () => {
    await drifted();
    const more = await check();
    expect(more).toMatchObject({ driftCount: 2, byKind: { STOCK: 2 }, announced: true });
    await broker.call("inventory.rebuild", {}, asAdmin);
    const cleared = await check();
    expect(cleared).toMatchObject({ ok: true, announced: true });
    expect(await eventsOf(cleared.checkId)).toEqual([]);
    expect(await eventsOf(cleared.checkId, "inventory.drift-cleared")).toEqual([
      { checkId: cleared.checkId, checkedAt: cleared.checkedAt, previousCheckId: more.checkId },
    ]);
    await drifted();
    const back = await check();
    expect(back).toMatchObject({ driftCount: 1, announced: true });
    expect(await eventsOf(back.checkId)).toHaveLength(1);
    await broker.call("inventory.rebuild", {}, asAdmin);
  });

  it("lists the checks newest first, a page at a time", async () => {
    const latest = await check();
    const list = (params: object) =>
      broker.call<{ items: StockCheck[]; nextCursor: string | null }, object>(
        "inventory.stockChecks",
        params,
        asAdmin,
      );
    const first = await list({ limit: 2 });
    expect(first.items.map((c) => c.checkId)).toEqual([latest.checkId, latest.checkId - 1]);
    expect(first.items[0]).toEqual(latest);
    expect(first.nextCursor).toBe(String(latest.checkId - 1));
    const next = await list({ limit: 100, cursor: first.nextCursor });
    const older = next.items.map((c) => c.checkId);
    expect(older[0]).toBe(latest.checkId - 2);
    expect(older).toEqual([...older].sort((a, b) => b - a));
    // This file's checks before the latest: settle, clean, found, again, more, cleared, back.
    expect(older.length).toBeGreaterThanOrEqual(6);
  });

  it("lets only the platform's operators run or read checks", async () => {
    const merchant = { meta: { user: { userId: "m-1", role: "merchant", shopId: "shop-1" } } };
    for (const action of ["inventory.checkStock", "inventory.stockChecks"]) {
      await expect(broker.call(action, {}, merchant)).rejects.toMatchObject({ type: "FORBIDDEN" });
    }
  });
});
