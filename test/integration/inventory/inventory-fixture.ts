import { randomBytes } from "node:crypto";
import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import type { StockFigures } from "../../../services/inventory/domain/stock-figures";
import { StockKeys } from "../../../services/inventory/stock/stock-keys";
import { loadConfig } from "../../../shared/config/config";
import type { Caller } from "../../../shared/contracts/caller";
import type { DeductionStrategy } from "../../../shared/contracts/inventory.contract";
import { createPool, schemaName } from "../../../shared/db/pool";
import { createRedis } from "../../../shared/redis";

/** The run's configuration (prefixes from the Jest global setup). */
export const cfg = loadConfig();
export const keys = new StockKeys(cfg);

/** Calls as the platform operator. */
export const asAdmin = { meta: { user: { userId: "admin-1", role: "admin" } satisfies Caller } };

/** A unique id for this test's SKUs, warehouses and reservations (the run's schema is shared by every file). */
export const uid = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/** A pool on the inventory schema and a Redis connection, for assertions. */
export function openStores(): { pool: Pool; redis: ReturnType<typeof createRedis> } {
  return { pool: createPool(cfg, schemaName(cfg, "inventory")), redis: createRedis(cfg) };
}

/** Creates a warehouse serving the provinces. */
export async function warehouse(
  broker: ServiceBroker,
  warehouseId: string,
  provinces: string[],
): Promise<void> {
  await broker.call("inventory.createWarehouse", { warehouseId, name: warehouseId, provinces }, asAdmin);
}

/** Creates a SKU with stock per warehouse. */
export async function sku(
  broker: ServiceBroker,
  skuId: string,
  stock: Record<string, number>,
  opts: { strategy?: DeductionStrategy; limit?: number; onSale?: boolean } = {},
): Promise<void> {
  await broker.call(
    "inventory.createSku",
    {
      skuId,
      shopId: "shop-1",
      title: `Title of ${skuId}`,
      spec: "red / M",
      priceMinor: 1999,
      category: "apparel",
      storageClass: "AMBIENT",
      weightGrams: 300,
      volumeCm3: 1200,
      deductionStrategy: opts.strategy ?? "RESERVE_ON_ORDER",
      purchaseLimitPerUser: opts.limit ?? null,
      onSale: opts.onSale ?? true,
    },
    asAdmin,
  );
  for (const [warehouseId, onHand] of Object.entries(stock))
    await broker.call("inventory.setStock", { skuId, warehouseId, onHand }, asAdmin);
}

/** One reserve line. */
export const line = (skuId: string, quantity = 1, strategy: DeductionStrategy = "RESERVE_ON_ORDER") => ({
  lineId: `line-${skuId}`,
  skuId,
  quantity,
  strategy,
});

/** The error type a promise rejects with, or "OK". */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return (err as { type?: string }).type ?? String(err);
  }
}

/** The error a promise rejects with. */
export async function failure(p: Promise<unknown>): Promise<{ type: string; data: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { type: string; data: Record<string, unknown> };
  }
  throw new Error("expected a failure");
}

/** Live figures of a SKU in a warehouse. */
export async function figures(broker: ServiceBroker, skuId: string, warehouseId: string) {
  const res = await broker.call<{ stock: StockFigures[] }, { skuId: string }>(
    "inventory.getSku",
    { skuId },
    asAdmin,
  );
  return res.stock.find((s) => s.warehouseId === warehouseId);
}

/** Counts movements of a kind for a SKU. */
export async function movements(pool: Pool, skuId: string, kind: string): Promise<number> {
  const { rows } = await pool.query(
    "SELECT count(*)::int AS n FROM movements WHERE sku_id = $1 AND kind = $2",
    [skuId, kind],
  );
  return rows[0].n;
}

/** The stock row of record. */
export async function stockRow(pool: Pool, skuId: string, warehouseId: string) {
  const { rows } = await pool.query(
    `SELECT on_hand::int AS "onHand", reserved::int AS reserved, safety_stock::int AS "safetyStock"
     FROM stock WHERE sku_id = $1 AND warehouse_id = $2`,
    [skuId, warehouseId],
  );
  return rows[0];
}

/** Reconciliation drift that concerns the given SKUs (other files share the run's schema). */
export async function driftFor(broker: ServiceBroker, skuIds: string[]) {
  const report = await broker.call<{ drift: { skuId?: string }[] }, object>(
    "inventory.reconcile",
    {},
    asAdmin,
  );
  return report.drift.filter((d) => d.skuId !== undefined && skuIds.includes(d.skuId));
}
