import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import { defineStockScripts } from "../../../services/inventory/stock/stock-scripts";
import { startSystem, type TestSystem } from "../../support/system";
import {
  asAdmin,
  cfg,
  driftFor,
  figures,
  keys,
  line,
  openStores,
  outcome,
  sku,
  stockRow,
  uid,
  warehouse,
} from "./inventory-fixture";

describe("inventory rebuild and reconciliation", () => {
  let system: TestSystem;
  let broker: ServiceBroker;
  const { pool, redis }: { pool: Pool; redis: ReturnType<typeof openStores>["redis"] } = openStores();
  const wh = uid("wh");

  const restart = async () => {
    await system.stop();
    system = await startSystem(["inventory"]);
    broker = system.broker;
  };
  const deleteKeys = async (pattern: string) => {
    const found = await redis.keys(pattern);
    if (found.length > 0) await redis.del(...found);
    return found.length;
  };
  const reserve = (reservationId: string, buyerId: string, lines: ReturnType<typeof line>[]) =>
    broker.call("inventory.reserve", { reservationId, buyerId, province: "Hubei", lines });

  /** Held, released, deducted and checked-only reservations of two SKUs; returns the figures to expect. */
  async function scenario() {
    const [held, checked] = [uid("held"), uid("checked")];
    await sku(broker, held, { [wh]: 20 }, { limit: 2 });
    await sku(broker, checked, { [wh]: 9 }, { strategy: "DEDUCT_ON_PAYMENT", limit: 5 });
    const open = uid("open");
    await reserve(open, "b1", [line(held, 2), line(checked, 4, "DEDUCT_ON_PAYMENT")]);
    const gone = uid("gone");
    await reserve(gone, "b2", [line(held, 1)]);
    const paid = uid("paid");
    await reserve(paid, "b3", [line(held, 2), line(checked, 1, "DEDUCT_ON_PAYMENT")]);
    await broker.call("inventory.release", { reservationId: gone, reason: "cancelled" });
    await broker.call("inventory.deduct", { reservationId: paid });
    await broker.call("inventory.drainLedger", {});
    return {
      held,
      checked,
      open,
      expected: {
        // Paid units stay reserved until shipped: b1 holds 2, b3 paid 2 (and 1 checked-only unit).
        held: { warehouseId: wh, onHand: 20, reserved: 4, safetyStock: 0, available: 16 },
        checked: { warehouseId: wh, onHand: 9, reserved: 1, safetyStock: 0, available: 8 },
      },
    };
  }

  /** The state of the scenario as the service reports it, after the counters came back. */
  async function expectRestored(s: Awaited<ReturnType<typeof scenario>>) {
    expect(await figures(broker, s.held, wh)).toEqual(s.expected.held);
    expect(await figures(broker, s.checked, wh)).toEqual(s.expected.checked);
    // Purchase-limit counts came back: b1 holds 2 of a limit of 2; b3 paid 2.
    expect(await outcome(reserve(uid("more"), "b1", [line(s.held, 1)]))).toBe("PURCHASE_LIMIT_EXCEEDED");
    expect(await outcome(reserve(uid("more"), "b3", [line(s.held, 1)]))).toBe("PURCHASE_LIMIT_EXCEEDED");
    expect(await outcome(reserve(uid("more"), "b2", [line(s.held, 2)]))).toBe("OK");
    // The open reservation came back and releases once.
    expect(await broker.call("inventory.release", { reservationId: s.open, reason: "x" })).toMatchObject({
      released: true,
    });
    expect(await figures(broker, s.held, wh)).toMatchObject({ reserved: 4 });
    expect(await driftFor(broker, [s.held, s.checked])).toEqual([]);
  }

  beforeAll(async () => {
    system = await startSystem(["inventory"]);
    broker = system.broker;
    await warehouse(broker, wh, ["Hubei"]);
  });
  afterAll(async () => {
    await system.stop();
    await pool.end();
    redis.disconnect();
  });

  it("rebuilds the same counters on restart after the stock keys were deleted", async () => {
    const s = await scenario();
    expect(await deleteKeys(keys.pattern("stock"))).toBeGreaterThan(0);
    await restart();
    // Rebuilt while starting, before anything asked.
    expect(await redis.hget(keys.stock(s.held), `${wh}:res`)).toBe("4");
    await expectRestored(s);
  });

  it("rebuilds counters, reservations and limits on restart after every inventory key was lost", async () => {
    const s = await scenario();
    await system.stop();
    await deleteKeys(`${cfg.redisPrefix}{inv}:*`);
    system = await startSystem(["inventory"]);
    broker = system.broker;
    expect(await redis.exists(keys.built)).toBe(1);
    expect(await redis.hget(keys.stock(s.checked), `${wh}:on`)).toBe("9");
    await expectRestored(s);
  });

  it("rebuilds through the admin command while running", async () => {
    const s = await scenario();
    await deleteKeys(keys.pattern("stock"));
    await deleteKeys(keys.pattern("limit"));
    const report = await broker.call<{ stockRows: number }, object>("inventory.rebuild", {}, asAdmin);
    expect(report.stockRows).toBeGreaterThanOrEqual(2);
    await expectRestored(s);
  });

  it("reports a drift introduced behind the scripts' back, and a rebuild clears it", async () => {
    const skuId = uid("drift");
    await sku(broker, skuId, { [wh]: 7 });
    await broker.call("inventory.drainLedger", {});
    expect(await driftFor(broker, [skuId])).toEqual([]);
    await redis.hincrby(keys.stock(skuId), `${wh}:res`, 3);
    expect(await driftFor(broker, [skuId])).toEqual([
      {
        kind: "STOCK",
        skuId,
        warehouseId: wh,
        redis: { onHand: 7, reserved: 3, safetyStock: 0 },
        ledger: { onHand: 7, reserved: 0, safetyStock: 0 },
      },
    ]);
    await broker.call("inventory.rebuild", {}, asAdmin);
    expect(await driftFor(broker, [skuId])).toEqual([]);
    expect(await figures(broker, skuId, wh)).toMatchObject({ onHand: 7, reserved: 0 });
  });

  it("writes a movement that a pod took from the stream and died with", async () => {
    const skuId = uid("orphan");
    await sku(broker, skuId, { [wh]: 4 });
    await broker.call("inventory.drainLedger", {});
    await system.stop();
    // The dead pod changed the counter (the real script) and read the entry, but never wrote it.
    const scripts = defineStockScripts(redis);
    await scripts.adjust(
      [keys.stock(skuId), keys.ledger, keys.built],
      [skuId, wh, 11, -1, `adjust:test:${skuId}`],
    );
    await redis.xreadgroup("GROUP", "ledger-writer", "dead-pod", "COUNT", 100, "STREAMS", keys.ledger, ">");
    expect(((await redis.xpending(keys.ledger, "ledger-writer")) as unknown[])[0]).toBe(1);

    system = await startSystem(["inventory"]);
    broker = system.broker;
    await broker.call("inventory.drainLedger", {});
    expect(await stockRow(pool, skuId, wh)).toEqual({ onHand: 11, reserved: 0, safetyStock: 0 });
    expect(await driftFor(broker, [skuId])).toEqual([]);
  });
});
