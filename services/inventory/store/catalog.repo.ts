import type { Pool } from "pg";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import { OmsError } from "../../../shared/errors";
import type { WarehouseArea } from "../domain/warehouse-preference";

/** A warehouse as the API shows it. */
export interface Warehouse extends WarehouseArea {
  name: string;
  createdAt: string;
}

/** A SKU as the API shows it: the RPC shape plus when it was created. */
export type SkuRecord = SkuInfo & { createdAt: string };

/** The fields a merchant may change after creating a SKU. */
export type SkuPatch = Partial<
  Pick<SkuInfo, "onSale" | "priceMinor" | "purchaseLimitPerUser" | "deductionStrategy" | "declaredValueMinor">
>;

const UNIQUE_VIOLATION = "23505";

const SKU_COLUMNS: Record<keyof Omit<SkuRecord, "createdAt">, string> = {
  skuId: "sku_id",
  shopId: "shop_id",
  title: "title",
  spec: "spec",
  priceMinor: "price_minor",
  imageUrl: "image_url",
  category: "category",
  storageClass: "storage_class",
  weightGrams: "weight_grams",
  volumeCm3: "volume_cm3",
  declaredValueMinor: "declared_value_minor",
  deductionStrategy: "deduction_strategy",
  purchaseLimitPerUser: "purchase_limit_per_user",
  onSale: "on_sale",
};
const SELECT_SKU = `SELECT ${Object.entries(SKU_COLUMNS)
  .map(([field, column]) => `${column} AS "${field}"`)
  .join(", ")}, created_at AS "createdAt" FROM skus`;

const iso = <T extends { createdAt: unknown }>(row: T): T => ({
  ...row,
  createdAt: new Date(row.createdAt as string).toISOString(),
});

// bigint columns: numbers whatever the pg type parser in effect.
const toSku = (row: SkuRecord): SkuRecord => ({
  ...iso(row),
  priceMinor: Number(row.priceMinor),
  declaredValueMinor: Number(row.declaredValueMinor),
});

const alreadyExists = (err: unknown, what: string, details: Record<string, unknown>) =>
  (err as { code?: string }).code === UNIQUE_VIOLATION
    ? new OmsError("ALREADY_EXISTS", `${what} already exists`, details)
    : err;

/** Creates a warehouse; ALREADY_EXISTS when the id is taken. */
export async function insertWarehouse(pool: Pool, w: Omit<Warehouse, "createdAt">): Promise<Warehouse> {
  try {
    const { rows } = await pool.query<Warehouse>(
      `INSERT INTO warehouses (warehouse_id, name, provinces) VALUES ($1, $2, $3)
       RETURNING warehouse_id AS "warehouseId", name, provinces, created_at AS "createdAt"`,
      [w.warehouseId, w.name, w.provinces],
    );
    return iso(rows[0] as Warehouse);
  } catch (err) {
    throw alreadyExists(err, `Warehouse ${w.warehouseId}`, { warehouseId: w.warehouseId });
  }
}

/** Every warehouse, by id. */
export async function listWarehouses(pool: Pool): Promise<Warehouse[]> {
  const { rows } = await pool.query<Warehouse>(
    `SELECT warehouse_id AS "warehouseId", name, provinces, created_at AS "createdAt"
     FROM warehouses ORDER BY warehouse_id`,
  );
  return rows.map(iso);
}

/** Creates a SKU; ALREADY_EXISTS when the id is taken. */
export async function insertSku(pool: Pool, sku: SkuInfo): Promise<SkuRecord> {
  const fields = Object.keys(SKU_COLUMNS) as (keyof SkuInfo)[];
  try {
    await pool.query(
      `INSERT INTO skus (${fields.map((f) => SKU_COLUMNS[f]).join(", ")})
       VALUES (${fields.map((_, i) => `$${i + 1}`).join(", ")})`,
      fields.map((f) => sku[f]),
    );
  } catch (err) {
    throw alreadyExists(err, `SKU ${sku.skuId}`, { skuId: sku.skuId });
  }
  return (await findSkus(pool, [sku.skuId]))[0] as SkuRecord;
}

/** Changes the given fields of a SKU; null when there is no such SKU. */
export async function updateSku(pool: Pool, skuId: string, patch: SkuPatch): Promise<SkuRecord | null> {
  const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof SkuPatch, unknown][];
  if (entries.length > 0) {
    const sets = entries.map(([field], i) => `${SKU_COLUMNS[field]} = $${i + 2}`);
    await pool.query(`UPDATE skus SET ${sets.join(", ")}, updated_at = now() WHERE sku_id = $1`, [
      skuId,
      ...entries.map(([, v]) => v),
    ]);
  }
  return (await findSkus(pool, [skuId]))[0] ?? null;
}

/** The SKUs among `skuIds` that exist. */
export async function findSkus(pool: Pool, skuIds: readonly string[]): Promise<SkuRecord[]> {
  const { rows } = await pool.query<SkuRecord>(`${SELECT_SKU} WHERE sku_id = ANY($1::text[])`, [skuIds]);
  return rows.map(toSku);
}
