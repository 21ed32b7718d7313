import { randomBytes } from "node:crypto";
import type { Pool } from "pg";
import { decodeMovements } from "../../../services/inventory/domain/movement";
import { LedgerWriter } from "../../../services/inventory/ledger/ledger-writer";
import { StockKeys } from "../../../services/inventory/stock/stock-keys";
import { writeMovements } from "../../../services/inventory/store/ledger.repo";
import { migrate, migrationsDir } from "../../../shared/db/migrate";
import { createPool, schemaName } from "../../../shared/db/pool";
import { OUTBOX_INBOX_SQL } from "../../../shared/outbox/outbox.sql";
import { createRedis } from "../../../shared/redis";
import { RESERVE_WIRE } from "../../support/movement-wire";
import { cfg } from "./inventory-fixture";

const wire = RESERVE_WIRE;

describe("writing movements to the ledger", () => {
  let pool: Pool;

  beforeAll(async () => {
    const schema = schemaName(cfg, "inventory_ledger_write");
    pool = createPool(cfg, schema);
    await migrate(pool, schema, migrationsDir("inventory"), OUTBOX_INBOX_SQL);
    await pool.query("INSERT INTO warehouses (warehouse_id, name) VALUES ('W1', 'W1')");
    await pool.query(
      `INSERT INTO skus (sku_id, shop_id, title, price_minor, category, storage_class, weight_grams, volume_cm3,
         declared_value_minor, deduction_strategy)
       SELECT id, 'shop-1', id, 100, 'c', 'AMBIENT', 1, 1, 100, 'RESERVE_ON_ORDER' FROM unnest('{A,B,C,D}'::text[]) id`,
    );
  });
  afterAll(() => pool.end());

  const stock = async () =>
    (
      await pool.query(
        `SELECT sku_id, warehouse_id, on_hand::int, reserved::int, safety_stock::int FROM stock
         ORDER BY sku_id, warehouse_id`,
      )
    ).rows;

  it("applies each new movement's deltas once per stock row, in one statement, and skips those that move nothing", async () => {
    const movements = decodeMovements(
      "5-0",
      JSON.stringify([
        { ...wire, id: "R1:A:RESERVE", dOn: 3, dRes: 0 },
        { ...wire, id: "R2:B:RESERVE", sku: "B" },
        { ...wire, id: "R2:A:CHECK", kind: "CHECK", dRes: 0 },
        { ...wire, id: "R3:A:DEDUCT", kind: "DEDUCT", dOn: 0, dRes: 0 },
        { ...wire, id: "R3:A:SHIP:P1", kind: "SHIP", dOn: -2, dRes: -2 },
        { id: "restock:RT1:A:W1", kind: "RESTOCK", sku: "A", wh: "W1", qty: 1, dOn: 1, at: 1 },
        { id: "adjust:x", kind: "ADJUST", sku: "C", wh: "W1", qty: 0, at: 1 },
        { id: "zero:D", kind: "CHECK", sku: "D", wh: "W1", qty: 0, at: 1 },
      ]),
    );
    let statements = 0;
    const counted = {
      query: (...args: Parameters<Pool["query"]>) => {
        statements += 1;
        return pool.query(...args);
      },
    } as Pool;
    expect(await writeMovements(counted, movements)).toBe(8);
    expect(statements).toBe(1);
    expect(await stock()).toEqual([
      { sku_id: "A", warehouse_id: "W1", on_hand: 2, reserved: -2, safety_stock: 0 },
      { sku_id: "B", warehouse_id: "W1", on_hand: 0, reserved: 2, safety_stock: 0 },
      { sku_id: "C", warehouse_id: "W1", on_hand: 0, reserved: 0, safety_stock: 0 },
    ]);

    // Redelivered with one new movement (and the same one twice): only that one counts, once.
    const again = [
      ...movements,
      ...decodeMovements("6-0", JSON.stringify([{ ...wire, id: "R4:B:RESERVE", sku: "B" }])),
    ];
    const last = again[again.length - 1];
    expect(await writeMovements(pool, last ? [...again, last] : again)).toBe(1);
    expect((await stock()).find((r) => r.sku_id === "B")).toMatchObject({ reserved: 4 });
  });

  it("gathers the movements appended while it lingers after a small batch into one write", async () => {
    const keys = new StockKeys({
      redisPrefix: `${cfg.redisPrefix}linger-${randomBytes(3).toString("hex")}:`,
    });
    const redis = createRedis(cfg);
    const blocking = createRedis(cfg);
    let writes = 0;
    const counted = {
      query: (...args: Parameters<Pool["query"]>) => {
        if (String(args[0]).includes("INSERT INTO movements")) writes += 1;
        return pool.query(...args);
      },
    } as Pool;
    const logger = { warn: () => undefined, error: () => undefined };
    const writer = new LedgerWriter({
      redis,
      blocking,
      pool: counted,
      keys,
      consumer: "spec",
      logger,
      lingerMs: 400,
    });
    const append = (id: string) =>
      redis.xadd(keys.ledger, "*", "m", JSON.stringify([{ ...wire, id, sku: "D" }]));
    const written = async () =>
      Number(
        (await pool.query("SELECT count(*) AS n FROM movements WHERE movement_id LIKE 'L%:D:RESERVE'"))
          .rows[0].n,
      );
    writer.start();
    try {
      await append("L1:D:RESERVE");
      while ((await written()) < 1) await new Promise((r) => setTimeout(r, 20));
      // The writer now lingers: what comes meanwhile goes in one write.
      for (const id of ["L2:D:RESERVE", "L3:D:RESERVE", "L4:D:RESERVE"]) {
        await append(id);
        await new Promise((r) => setTimeout(r, 50));
      }
      while ((await written()) < 4) await new Promise((r) => setTimeout(r, 20));
      expect(writes).toBe(2);
    } finally {
      await writer.stop();
      await redis.del(keys.ledger);
      redis.disconnect();
      blocking.disconnect();
    }
  });
});
