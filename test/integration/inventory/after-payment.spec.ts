import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import { decodeReservation } from "../../../services/inventory/stock/reservation-codec";
import type {
  DeductResult,
  RestockResult,
  ShipResult,
  StockUnits,
  UnreserveResult,
} from "../../../shared/contracts/inventory.contract";
import { startSystem, type TestSystem } from "../../support/system";
import {
  asAdmin,
  driftFor,
  failure,
  figures,
  keys,
  line,
  movements,
  openStores,
  outcome,
  sku,
  stockRow,
  uid,
  warehouse,
} from "./inventory-fixture";

describe("inventory after payment: ship, unreserve, restock", () => {
  let system: TestSystem;
  let broker: ServiceBroker;
  const stores = openStores();
  const pool: Pool = stores.pool;
  const redis = stores.redis;
  const wh = uid("wh");
  const other = uid("wh2");

  const reserve = (reservationId: string, lines: ReturnType<typeof line>[], buyerId = "buyer-1") =>
    broker.call("inventory.reserve", { reservationId, buyerId, province: "Hubei", lines });
  const deduct = (reservationId: string) =>
    broker.call<DeductResult, { reservationId: string }>("inventory.deduct", { reservationId });
  const ship = (reservationId: string, shipmentId: string, lines: StockUnits[]) =>
    broker.call<ShipResult, object>("inventory.ship", { reservationId, shipmentId, lines });
  const unreserve = (reservationId: string, releaseId: string, lines: StockUnits[]) =>
    broker.call<UnreserveResult, object>("inventory.unreserve", {
      reservationId,
      releaseId,
      lines,
      reason: "intercepted",
    });
  const restock = (returnId: string, lines: (StockUnits & { warehouseId: string })[]) =>
    broker.call<RestockResult, object>("inventory.restock", { returnId, lines, reason: "return received" });
  const units = (skuId: string, quantity: number) => ({ skuId, quantity });
  const drain = () => broker.call("inventory.drainLedger", {});
  /** A paid reservation of the lines. */
  async function paid(lines: ReturnType<typeof line>[], buyerId = "buyer-1"): Promise<string> {
    const reservationId = uid("r");
    await reserve(reservationId, lines, buyerId);
    await deduct(reservationId);
    return reservationId;
  }

  beforeAll(async () => {
    system = await startSystem(["inventory"]);
    broker = system.broker;
    await warehouse(broker, wh, ["Hubei"]);
    await warehouse(broker, other, ["Hunan"]);
  });
  afterAll(async () => {
    await system.stop();
    await pool.end();
    redis.disconnect();
  });

  it("keeps paid units reserved and takes them out of on-hand when shipped, for both strategies", async () => {
    const [held, checked] = [uid("held"), uid("checked")];
    await sku(broker, held, { [wh]: 10 });
    await sku(broker, checked, { [wh]: 10 }, { strategy: "DEDUCT_ON_PAYMENT" });
    const reservationId = await paid([line(held, 3), line(checked, 2, "DEDUCT_ON_PAYMENT")]);
    expect(await figures(broker, held, wh)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
    expect(await figures(broker, checked, wh)).toMatchObject({ onHand: 10, reserved: 2, available: 8 });

    const shipped = await ship(reservationId, "pkg-1", [units(checked, 2), units(held, 3)]);
    expect(shipped).toEqual({
      reservationId,
      shipmentId: "pkg-1",
      lines: [
        { skuId: checked, warehouseId: wh, quantity: 2 },
        { skuId: held, warehouseId: wh, quantity: 3 },
      ].sort((a, b) => (a.skuId < b.skuId ? -1 : 1)),
    });
    expect(await figures(broker, held, wh)).toEqual({
      warehouseId: wh,
      onHand: 7,
      reserved: 0,
      safetyStock: 0,
      available: 7,
    });
    expect(await figures(broker, checked, wh)).toEqual({
      warehouseId: wh,
      onHand: 8,
      reserved: 0,
      safetyStock: 0,
      available: 8,
    });
    // Everything shipped: the record only answers retries now, and expires like a closed one.
    expect(await redis.ttl(keys.reservation(reservationId))).toBeGreaterThan(0);

    await drain();
    expect(await stockRow(pool, held, wh)).toEqual({ onHand: 7, reserved: 0, safetyStock: 0 });
    expect(await stockRow(pool, checked, wh)).toEqual({ onHand: 8, reserved: 0, safetyStock: 0 });
    expect(await movements(pool, held, "SHIP")).toBe(1);
    expect(await movements(pool, checked, "SHIP")).toBe(1);
    expect(await driftFor(broker, [held, checked])).toEqual([]);
  });

  it("ships in parts from the warehouse the line is reserved in, and refuses more than is left, changing nothing", async () => {
    const [a, b] = [uid("part"), uid("part")];
    await sku(broker, a, { [wh]: 1, [other]: 9 }, { strategy: "DEDUCT_ON_PAYMENT" });
    await sku(broker, b, { [wh]: 4 });
    const reservationId = await paid([line(a, 5, "DEDUCT_ON_PAYMENT"), line(b, 3)]);
    expect((await ship(reservationId, "pkg-1", [units(a, 2)])).lines).toEqual([
      { skuId: a, warehouseId: other, quantity: 2 },
    ]);
    await ship(reservationId, "pkg-2", [units(a, 2), units(b, 1)]);
    expect(await figures(broker, a, other)).toMatchObject({ onHand: 5, reserved: 1, available: 4 });
    expect(await figures(broker, b, wh)).toMatchObject({ onHand: 3, reserved: 2, available: 1 });

    const over = await failure(ship(reservationId, "pkg-3", [units(b, 1), units(a, 2)]));
    expect(over).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "lines[1].quantity", skuId: a, requested: 2, remaining: 1 },
    });
    expect(await figures(broker, a, other)).toMatchObject({ onHand: 5, reserved: 1 });
    expect(await figures(broker, b, wh)).toMatchObject({ onHand: 3, reserved: 2 });
    expect(await redis.ttl(keys.reservation(reservationId))).toBe(-1);

    // The refused shipment id recorded nothing: it can still ship what is left.
    await ship(reservationId, "pkg-3", [units(b, 2), units(a, 1)]);
    expect(await figures(broker, a, other)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect(await figures(broker, b, wh)).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
    await drain();
    expect(await movements(pool, a, "SHIP")).toBe(3);
    expect(await stockRow(pool, a, other)).toEqual({ onHand: 4, reserved: 0, safetyStock: 0 });
    expect(await driftFor(broker, [a, b])).toEqual([]);
  });

  it("answers a repeated ship, unreserve or restock with its first answer and changes nothing", async () => {
    const skuId = uid("repeat");
    await sku(broker, skuId, { [wh]: 10 });
    const reservationId = await paid([line(skuId, 6)]);
    const ships = await Promise.all([1, 2, 3].map(() => ship(reservationId, "pkg-1", [units(skuId, 2)])));
    for (const r of ships) expect(r).toEqual(ships[0]);
    // A repeat with other quantities is still the same shipment.
    expect(await ship(reservationId, "pkg-1", [units(skuId, 4)])).toEqual(ships[0]);
    const releases = await Promise.all([1, 2].map(() => unreserve(reservationId, "x-1", [units(skuId, 1)])));
    expect(releases[1]).toEqual(releases[0]);
    expect(releases[0]).toEqual({
      reservationId,
      releaseId: "x-1",
      lines: [{ skuId, warehouseId: wh, quantity: 1 }],
    });
    const restocks = await Promise.all(
      [1, 2].map(() => restock("ret-1", [{ skuId, warehouseId: wh, quantity: 2 }])),
    );
    expect(restocks[1]).toEqual(restocks[0]);
    expect(await figures(broker, skuId, wh)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });

    await drain();
    for (const kind of ["SHIP", "UNRESERVE", "RESTOCK"]) expect(await movements(pool, skuId, kind)).toBe(1);
    expect(await stockRow(pool, skuId, wh)).toEqual({ onHand: 10, reserved: 3, safetyStock: 0 });
    expect(await driftFor(broker, [skuId])).toEqual([]);
  });

  it("gives unreserved units back to available stock and to the buyer's purchase limit", async () => {
    const skuId = uid("limited");
    await sku(broker, skuId, { [wh]: 10 }, { limit: 3 });
    const reservationId = await paid([line(skuId, 3)], "buyer-lim");
    expect(await outcome(reserve(uid("more"), [line(skuId, 1)], "buyer-lim"))).toBe(
      "PURCHASE_LIMIT_EXCEEDED",
    );
    await ship(reservationId, "pkg-1", [units(skuId, 1)]);

    await unreserve(reservationId, "x-1", [units(skuId, 2)]);
    expect(await figures(broker, skuId, wh)).toMatchObject({ onHand: 9, reserved: 0, available: 9 });
    expect(await redis.get(keys.limit(skuId, "buyer-lim"))).toBe("1");
    // The shipped unit still counts: 2 more fit, a third does not.
    expect(await outcome(reserve(uid("more"), [line(skuId, 3)], "buyer-lim"))).toBe(
      "PURCHASE_LIMIT_EXCEEDED",
    );
    expect(await outcome(reserve(uid("more"), [line(skuId, 2)], "buyer-lim"))).toBe("OK");
    // Nothing left to give back on the paid reservation.
    expect(await failure(unreserve(reservationId, "x-2", [units(skuId, 1)]))).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "lines[0].quantity", requested: 1, remaining: 0 },
    });
    await drain();
    expect(await movements(pool, skuId, "UNRESERVE")).toBe(1);
    expect(await driftFor(broker, [skuId])).toEqual([]);
  });

  it("refuses to ship or unreserve what is not a paid reservation's line", async () => {
    const skuId = uid("refuse");
    await sku(broker, skuId, { [wh]: 10 });
    const heldId = uid("r");
    await reserve(heldId, [line(skuId, 2)]);
    expect(await failure(ship(heldId, "pkg-1", [units(skuId, 1)]))).toMatchObject({
      type: "INVALID_TRANSITION",
      data: { reservationId: heldId, state: "HELD", event: "ship" },
    });
    await broker.call("inventory.release", { reservationId: heldId, reason: "cancelled" });
    expect(await failure(unreserve(heldId, "x-1", [units(skuId, 1)]))).toMatchObject({
      type: "INVALID_TRANSITION",
      data: { state: "RELEASED", event: "unreserve" },
    });
    const missing = uid("nope");
    expect(await failure(ship(missing, "pkg-1", [units(skuId, 1)]))).toMatchObject({
      type: "NOT_FOUND",
      data: { reservationId: missing },
    });

    const paidId = await paid([line(skuId, 2)]);
    const stranger = uid("stranger");
    await sku(broker, stranger, { [wh]: 5 });
    expect(await failure(ship(paidId, "pkg-1", [units(skuId, 1), units(stranger, 1)]))).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "lines[1].skuId", skuId: stranger },
    });
    expect(await failure(ship(paidId, "pkg-1", [units(skuId, 1), units(skuId, 1)]))).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "lines[1].skuId" },
    });
    expect((await failure(ship(paidId, "pkg-1", [units(skuId, 0)]))).type).toBe("VALIDATION_ERROR");
    expect((await failure(ship(paidId, "pkg-1", []))).type).toBe("VALIDATION_ERROR");
    expect(await figures(broker, skuId, wh)).toMatchObject({ onHand: 10, reserved: 2 });
  });

  it("raises on-hand once per return, also after its marker expired, and refuses unknown SKUs and warehouses", async () => {
    const skuId = uid("ret");
    await sku(broker, skuId, { [wh]: 4 });
    const returnId = `${uid("AS")}:1`;
    const first = await restock(returnId, [{ skuId, warehouseId: other, quantity: 3 }]);
    expect(first).toEqual({ returnId, lines: [{ skuId, warehouseId: other, quantity: 3 }] });
    expect(await figures(broker, skuId, other)).toEqual({
      warehouseId: other,
      onHand: 3,
      reserved: 0,
      safetyStock: 0,
      available: 3,
    });
    await drain();
    await redis.del(keys.restock(returnId));
    expect(await restock(returnId, [{ skuId, warehouseId: other, quantity: 3 }])).toEqual(first);
    expect(await figures(broker, skuId, other)).toMatchObject({ onHand: 3 });

    const unknownSku = uid("ghost");
    expect(
      await failure(restock(uid("AS"), [{ skuId: unknownSku, warehouseId: wh, quantity: 1 }])),
    ).toMatchObject({ type: "SKU_NOT_FOUND", data: { skuId: unknownSku } });
    expect(await failure(restock(uid("AS"), [{ skuId, warehouseId: "nowhere", quantity: 1 }]))).toMatchObject(
      { type: "WAREHOUSE_NOT_FOUND", data: { warehouseId: "nowhere" } },
    );
    await drain();
    expect(await movements(pool, skuId, "RESTOCK")).toBe(1);
    expect(await stockRow(pool, skuId, other)).toEqual({ onHand: 3, reserved: 0, safetyStock: 0 });
    expect(await driftFor(broker, [skuId])).toEqual([]);
  });

  it("rebuilds the same Redis state after ships and unreserves, and a repeated ship is still a no-op", async () => {
    const [a, b] = [uid("rb"), uid("rb")];
    await sku(broker, a, { [wh]: 10 }, { limit: 5 });
    await sku(broker, b, { [wh]: 10 }, { strategy: "DEDUCT_ON_PAYMENT" });
    const open = await paid([line(a, 4), line(b, 3, "DEDUCT_ON_PAYMENT")], "buyer-rb");
    const firstShip = await ship(open, "pkg:1", [units(a, 1), units(b, 2)]);
    const firstRelease = await unreserve(open, "x-1", [units(a, 1)]);
    const closed = await paid([line(a, 1)], "buyer-rb");
    await ship(closed, "pkg-9", [units(a, 1)]);

    const snapshot = async () => ({
      stock: [await redis.hgetall(keys.stock(a)), await redis.hgetall(keys.stock(b))],
      limit: await redis.get(keys.limit(a, "buyer-rb")),
      records: await Promise.all(
        [open, closed].map(async (id) => ({
          record: decodeReservation(id, await redis.hgetall(keys.reservation(id))),
          expires: (await redis.ttl(keys.reservation(id))) > 0,
        })),
      ),
    });
    const before = await snapshot();
    expect(before.limit).toBe("4");
    expect(before.records.map((r) => r.expires)).toEqual([false, true]);
    expect(before.records[0]?.record?.lines.map((l) => [l.shipped, l.unreserved])).toEqual(
      a < b
        ? [
            [1, 1],
            [2, 0],
          ]
        : [
            [2, 0],
            [1, 1],
          ],
    );

    await drain();
    await redis.del(keys.reservation(open), keys.reservation(closed), keys.limit(a, "buyer-rb"));
    await broker.call("inventory.rebuild", {}, asAdmin);
    expect(await snapshot()).toEqual(before);

    expect(await ship(open, "pkg:1", [units(a, 1), units(b, 2)])).toEqual(firstShip);
    expect(await unreserve(open, "x-1", [units(a, 1)])).toEqual(firstRelease);
    expect(await snapshot()).toEqual(before);
    expect(await figures(broker, a, wh)).toMatchObject({ onHand: 8, reserved: 2, available: 6 });
    expect(await figures(broker, b, wh)).toMatchObject({ onHand: 8, reserved: 1, available: 7 });
    await drain();
    expect(await movements(pool, a, "SHIP")).toBe(2);
    expect(await movements(pool, a, "UNRESERVE")).toBe(1);
    expect(await driftFor(broker, [a, b])).toEqual([]);
  });
});
