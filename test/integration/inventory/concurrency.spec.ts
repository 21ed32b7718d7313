import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import { startSystem, type TestSystem } from "../../support/system";
import {
  driftFor,
  figures,
  line,
  movements,
  openStores,
  outcome,
  sku,
  stockRow,
  uid,
  warehouse,
} from "./inventory-fixture";

describe("inventory.reserve under concurrency", () => {
  let system: TestSystem;
  let broker: ServiceBroker;
  const stores = openStores();
  const pool: Pool = stores.pool;
  const wh = uid("wh");

  beforeAll(async () => {
    system = await startSystem(["inventory"]);
    broker = system.broker;
    await warehouse(broker, wh, ["Zhejiang"]);
  });
  afterAll(async () => {
    await system.stop();
    await pool.end();
    stores.redis.disconnect();
  });

  it("sells exactly the 50 units on hand to 500 concurrent buyers, and Redis, ledger and stock table agree", async () => {
    const skuId = uid("flash");
    await sku(broker, skuId, { [wh]: 50 });
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        outcome(
          broker.call("inventory.reserve", {
            reservationId: uid(`r${i}`),
            buyerId: `buyer-${i}`,
            province: "Zhejiang",
            lines: [line(skuId)],
          }),
        ),
      ),
    );
    expect(results.filter((r) => r === "OK")).toHaveLength(50);
    expect(results.filter((r) => r === "OUT_OF_STOCK")).toHaveLength(450);

    await broker.call("inventory.drainLedger", {});
    expect(await figures(broker, skuId, wh)).toEqual({
      warehouseId: wh,
      onHand: 50,
      reserved: 50,
      safetyStock: 0,
      available: 0,
    });
    expect(await movements(pool, skuId, "RESERVE")).toBe(50);
    expect(await stockRow(pool, skuId, wh)).toEqual({ onHand: 50, reserved: 50, safetyStock: 0 });
    expect(await driftFor(broker, [skuId])).toEqual([]);
  });

  it("lets one buyer with a limit of 1 win exactly once out of 200 concurrent attempts, and again after release", async () => {
    const skuId = uid("limited");
    await sku(broker, skuId, { [wh]: 1000 }, { limit: 1 });
    const ids = Array.from({ length: 200 }, (_, i) => uid(`lim${i}`));
    const results = await Promise.all(
      ids.map((reservationId) =>
        outcome(
          broker.call("inventory.reserve", {
            reservationId,
            buyerId: "buyer-greedy",
            province: "Zhejiang",
            lines: [line(skuId)],
          }),
        ),
      ),
    );
    expect(results.filter((r) => r === "OK")).toHaveLength(1);
    expect(results.filter((r) => r === "PURCHASE_LIMIT_EXCEEDED")).toHaveLength(199);

    const winner = ids[results.indexOf("OK")] as string;
    const again = { buyerId: "buyer-greedy", province: "Zhejiang", lines: [line(skuId)] };
    expect(await outcome(broker.call("inventory.reserve", { ...again, reservationId: uid("again") }))).toBe(
      "PURCHASE_LIMIT_EXCEEDED",
    );
    await broker.call("inventory.release", { reservationId: winner, reason: "cancelled" });
    expect(await outcome(broker.call("inventory.reserve", { ...again, reservationId: uid("again") }))).toBe(
      "OK",
    );

    await broker.call("inventory.drainLedger", {});
    expect((await figures(broker, skuId, wh))?.reserved).toBe(1);
    expect(await driftFor(broker, [skuId])).toEqual([]);
  });
});
