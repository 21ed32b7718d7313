import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import type { DeductResult, ReserveResult } from "../../../shared/contracts/inventory.contract";
import { startSystem, type TestSystem } from "../../support/system";
import {
  asAdmin,
  driftFor,
  failure,
  figures,
  line,
  movements,
  openStores,
  sku,
  stockRow,
  uid,
  warehouse,
} from "./inventory-fixture";

describe("inventory reservations", () => {
  let system: TestSystem;
  let broker: ServiceBroker;
  const stores = openStores();
  const pool: Pool = stores.pool;
  const east = uid("east");
  const north = uid("north");
  const reserve = (params: Record<string, unknown>) =>
    broker.call<ReserveResult, Record<string, unknown>>("inventory.reserve", {
      buyerId: "buyer-1",
      province: "Zhejiang",
      ...params,
    });
  const drain = () => broker.call("inventory.drainLedger", {});

  beforeAll(async () => {
    system = await startSystem(["inventory"]);
    broker = system.broker;
    await warehouse(broker, east, ["Zhejiang", "Jiangsu"]);
    await warehouse(broker, north, ["Beijing"]);
  });
  afterAll(async () => {
    await system.stop();
    await pool.end();
    stores.redis.disconnect();
  });

  it("reserves nothing for any line when one SKU is short", async () => {
    const [a, b, c] = [uid("a"), uid("b"), uid("c")];
    await sku(broker, a, { [east]: 10 });
    await sku(broker, b, { [east]: 10 }, { strategy: "DEDUCT_ON_PAYMENT" });
    await sku(broker, c, { [east]: 1 });
    const err = await failure(
      reserve({ reservationId: uid("r"), lines: [line(a, 2), line(b, 2, "DEDUCT_ON_PAYMENT"), line(c, 2)] }),
    );
    expect(err.type).toBe("OUT_OF_STOCK");
    expect(err.data).toMatchObject({ skuId: c, requested: 2, available: 1 });
    await drain();
    for (const skuId of [a, b, c]) {
      expect((await figures(broker, skuId, east))?.reserved).toBe(0);
      expect(await movements(pool, skuId, "RESERVE")).toBe(0);
      expect(await movements(pool, skuId, "CHECK")).toBe(0);
    }
  });

  it("reserves once when the same reservation is retried five times at once, and releases once", async () => {
    const skuId = uid("idem");
    await sku(broker, skuId, { [east]: 10 }, { limit: 3 });
    const reservationId = uid("r");
    const results = await Promise.all(
      Array.from({ length: 5 }, () => reserve({ reservationId, lines: [line(skuId, 3)] })),
    );
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]?.lines).toEqual([
      { lineId: `line-${skuId}`, skuId, warehouseId: east, quantity: 3, strategy: "RESERVE_ON_ORDER" },
    ]);
    expect((await figures(broker, skuId, east))?.reserved).toBe(3);

    const releases = await Promise.all([
      broker.call("inventory.release", { reservationId, reason: "cancel" }),
      broker.call("inventory.release", { reservationId, reason: "cancel" }),
    ]);
    expect(releases.map((r) => (r as { released: boolean }).released).sort()).toEqual([false, true]);
    await drain();
    expect((await figures(broker, skuId, east))?.reserved).toBe(0);
    expect(await movements(pool, skuId, "RESERVE")).toBe(1);
    expect(await movements(pool, skuId, "RELEASE")).toBe(1);
    expect(await stockRow(pool, skuId, east)).toEqual({ onHand: 10, reserved: 0, safetyStock: 0 });

    const late = await reserve({ reservationId, lines: [line(skuId, 3)] });
    expect(late.status).toBe("RELEASED");
    expect((await figures(broker, skuId, east))?.reserved).toBe(0);
    expect(await driftFor(broker, [skuId])).toEqual([]);
  });

  it("leaves a tombstone when releasing an unknown reservation, so a late reserve holds nothing", async () => {
    const skuId = uid("tomb");
    await sku(broker, skuId, { [east]: 5 });
    const reservationId = uid("r");
    expect(await broker.call("inventory.release", { reservationId, reason: "timeout" })).toEqual({
      reservationId,
      released: false,
    });
    const late = await reserve({ reservationId, lines: [line(skuId)] });
    expect(late).toEqual({ reservationId, status: "RELEASED", lines: [] });
    expect((await figures(broker, skuId, east))?.reserved).toBe(0);
  });

  it("prefers the warehouse serving the receiver's province and falls back to another", async () => {
    const skuId = uid("pref");
    await sku(broker, skuId, { [east]: 2, [north]: 5 });
    const first = await reserve({ reservationId: uid("r"), province: "Beijing", lines: [line(skuId, 2)] });
    expect(first.lines[0]?.warehouseId).toBe(north);
    const second = await reserve({ reservationId: uid("r"), province: "Jiangsu", lines: [line(skuId, 2)] });
    expect(second.lines[0]?.warehouseId).toBe(east);
    const fallback = await reserve({ reservationId: uid("r"), province: "Jiangsu", lines: [line(skuId, 2)] });
    expect(fallback.lines[0]?.warehouseId).toBe(north);
    expect((await figures(broker, skuId, north))?.reserved).toBe(4);
    expect((await figures(broker, skuId, east))?.reserved).toBe(2);
    const err = await failure(reserve({ reservationId: uid("r"), lines: [line(skuId, 2)] }));
    expect(err.data).toMatchObject({ skuId, requested: 2, available: 1 });
  });

  it("keeps safety stock out of what can be reserved", async () => {
    const skuId = uid("safe");
    await sku(broker, skuId, {});
    await broker.call("inventory.setStock", { skuId, warehouseId: east, onHand: 5, safetyStock: 3 }, asAdmin);
    expect((await failure(reserve({ reservationId: uid("r"), lines: [line(skuId, 3)] }))).type).toBe(
      "OUT_OF_STOCK",
    );
    expect((await reserve({ reservationId: uid("r"), lines: [line(skuId, 2)] })).lines).toHaveLength(1);
  });

  it("refuses unknown and off-sale SKUs before touching stock", async () => {
    const off = uid("off");
    await sku(broker, off, { [east]: 5 }, { onSale: false });
    const missing = uid("missing");
    expect(await failure(reserve({ reservationId: uid("r"), lines: [line(missing)] }))).toMatchObject({
      type: "SKU_NOT_FOUND",
      data: { skuId: missing },
    });
    expect(await failure(reserve({ reservationId: uid("r"), lines: [line(off)] }))).toMatchObject({
      type: "SKU_OFF_SALE",
      data: { skuId: off },
    });
  });

  it("only checks deduct-on-payment lines, then keeps both kinds reserved as sold on payment", async () => {
    const [held, checked] = [uid("held"), uid("checked")];
    await sku(broker, held, { [east]: 10 });
    await sku(broker, checked, { [east]: 10 }, { strategy: "DEDUCT_ON_PAYMENT", limit: 5 });
    const reservationId = uid("r");
    const reserved = await reserve({
      reservationId,
      lines: [line(held, 2), line(checked, 3, "DEDUCT_ON_PAYMENT")],
    });
    expect(reserved.lines.map((l) => l.warehouseId)).toEqual([east, east]);
    expect((await figures(broker, checked, east))?.reserved).toBe(0);

    const deducted = await broker.call<DeductResult, { reservationId: string }>("inventory.deduct", {
      reservationId,
    });
    expect(deducted.status).toBe("DEDUCTED");
    const again = await broker.call<DeductResult, { reservationId: string }>("inventory.deduct", {
      reservationId,
    });
    expect(again).toEqual(deducted);
    // Sold units stay reserved until they ship: on-hand unchanged, the checked-only line reserved now.
    expect(await figures(broker, held, east)).toMatchObject({ onHand: 10, reserved: 2, available: 8 });
    expect(await figures(broker, checked, east)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
    // A paid order keeps counting toward the purchase limit, and is no longer releasable.
    expect(await broker.call("inventory.release", { reservationId, reason: "late" })).toMatchObject({
      released: false,
    });
    expect(
      (await failure(reserve({ reservationId: uid("r"), lines: [line(checked, 3, "DEDUCT_ON_PAYMENT")] })))
        .type,
    ).toBe("PURCHASE_LIMIT_EXCEEDED");
    await drain();
    expect(await stockRow(pool, checked, east)).toEqual({ onHand: 10, reserved: 3, safetyStock: 0 });
    expect(await movements(pool, checked, "DEDUCT")).toBe(1);
    expect(await driftFor(broker, [held, checked])).toEqual([]);
  });

  it("fails the whole deduction when a checked-only line ran out, changing nothing", async () => {
    const [held, checked] = [uid("held"), uid("checked")];
    await sku(broker, held, { [east]: 10 });
    await sku(broker, checked, { [east]: 3 }, { strategy: "DEDUCT_ON_PAYMENT" });
    const reservationId = uid("r");
    await reserve({ reservationId, lines: [line(held, 2), line(checked, 3, "DEDUCT_ON_PAYMENT")] });
    await broker.call("inventory.setStock", { skuId: checked, warehouseId: east, onHand: 1 }, asAdmin);

    const verify = await failure(broker.call("inventory.verify", { reservationId }));
    expect(verify).toMatchObject({ type: "OUT_OF_STOCK", data: { skuId: checked } });
    const err = await failure(broker.call("inventory.deduct", { reservationId }));
    expect(err).toMatchObject({ type: "OUT_OF_STOCK", data: { skuId: checked, requested: 3, available: 1 } });
    expect(await figures(broker, held, east)).toMatchObject({ onHand: 10, reserved: 2 });
    expect(await figures(broker, checked, east)).toMatchObject({ onHand: 1, reserved: 0 });

    // The order is then closed: releasing returns the held stock.
    expect(await broker.call("inventory.release", { reservationId, reason: "OUT_OF_STOCK" })).toMatchObject({
      released: true,
    });
    expect(await figures(broker, held, east)).toMatchObject({ onHand: 10, reserved: 0 });
    expect((await failure(broker.call("inventory.deduct", { reservationId }))).type).toBe(
      "INVALID_TRANSITION",
    );
  });

  it("reserves a checked-only line in another warehouse on payment when the checked one ran dry", async () => {
    const skuId = uid("move");
    await sku(broker, skuId, { [east]: 2, [north]: 5 }, { strategy: "DEDUCT_ON_PAYMENT" });
    const reservationId = uid("r");
    const reserved = await reserve({ reservationId, lines: [line(skuId, 2, "DEDUCT_ON_PAYMENT")] });
    expect(reserved.lines[0]?.warehouseId).toBe(east);
    await broker.call("inventory.setStock", { skuId, warehouseId: east, onHand: 0 }, asAdmin);
    const deducted = await broker.call<DeductResult, { reservationId: string }>("inventory.deduct", {
      reservationId,
    });
    expect(deducted.lines[0]?.warehouseId).toBe(north);
    expect(await figures(broker, skuId, north)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
  });

  it("takes buyer and order ids from other services verbatim, colons included", async () => {
    const skuId = uid("ext");
    await sku(broker, skuId, { [east]: 5 }, { limit: 2 });
    const reservationId = `${uid("2026")}:child:1`;
    await reserve({ reservationId, buyerId: "wx:o6_Zq@shop 1", lines: [line(skuId, 2)] });
    expect(
      (await failure(reserve({ reservationId: uid("r"), buyerId: "wx:o6_Zq@shop 1", lines: [line(skuId)] })))
        .type,
    ).toBe("PURCHASE_LIMIT_EXCEEDED");
    await drain();
    expect(await driftFor(broker, [skuId])).toEqual([]);
    expect(await broker.call("inventory.release", { reservationId, reason: "x" })).toMatchObject({
      released: true,
    });
  });

  it("answers NOT_FOUND when deducting an unknown reservation", async () => {
    expect((await failure(broker.call("inventory.deduct", { reservationId: uid("nope") }))).type).toBe(
      "NOT_FOUND",
    );
  });
});
