import type { Pool } from "pg";
import { assertShopAccess, type Caller } from "../../../shared/contracts/caller";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import { OmsError } from "../../../shared/errors";
import type { StockFigures } from "../domain/stock-figures";
import type { StockDesk } from "../stock/stock-desk";
import {
  findSkus,
  insertSku,
  insertWarehouse,
  listWarehouses,
  type SkuPatch,
  type SkuRecord,
  updateSku,
  type Warehouse,
} from "../store/catalog.repo";
import type { CatalogCache } from "./catalog-cache";

/** A new SKU as the API takes it: optional fields get their defaults here. */
export type NewSku = Omit<SkuInfo, "imageUrl" | "declaredValueMinor" | "purchaseLimitPerUser" | "onSale"> &
  Partial<Pick<SkuInfo, "imageUrl" | "declaredValueMinor" | "purchaseLimitPerUser" | "onSale">>;

/** A SKU with its live stock per warehouse. */
export type SkuWithStock = SkuRecord & { stock: StockFigures[] };

/**
 * The catalog and stock REST use cases with their ownership rules: admins
 * for everything, a merchant for its own shop's SKUs only, warehouses admin only.
 */
export class CatalogDesk {
  constructor(
    private readonly pool: Pool,
    private readonly cache: CatalogCache,
    private readonly stock: StockDesk,
    /** Tells every pod that a SKU or the warehouse list changed. */
    private readonly announce: (change: { skuId?: string; warehouses?: boolean }) => void,
  ) {}

  /** Creates a warehouse (admin). */
  async createWarehouse(caller: Caller, w: Omit<Warehouse, "createdAt">): Promise<Warehouse> {
    assertAdmin(caller);
    const created = await insertWarehouse(this.pool, { ...w, provinces: [...new Set(w.provinces)] });
    this.announce({ warehouses: true });
    return created;
  }

  /** Every warehouse. */
  listWarehouses(): Promise<Warehouse[]> {
    return listWarehouses(this.pool);
  }

  /** Creates a SKU for the caller's shop (or any shop for an admin). */
  async createSku(caller: Caller, input: NewSku): Promise<SkuWithStock> {
    assertShopAccess(caller, input.shopId);
    await this.stock.createSku(input.skuId);
    const sku = await insertSku(this.pool, {
      ...input,
      imageUrl: input.imageUrl ?? null,
      declaredValueMinor: input.declaredValueMinor ?? input.priceMinor,
      purchaseLimitPerUser: input.purchaseLimitPerUser ?? null,
      onSale: input.onSale ?? true,
    });
    this.announce({ skuId: sku.skuId });
    return { ...sku, stock: [] };
  }

  /** Changes sale status, price, purchase limit or strategy of an owned SKU. */
  async updateSku(caller: Caller, skuId: string, patch: SkuPatch): Promise<SkuWithStock> {
    await this.ownedSku(caller, skuId);
    const sku = (await updateSku(this.pool, skuId, patch)) as SkuRecord;
    this.announce({ skuId });
    return { ...sku, stock: await this.stock.figures(skuId) };
  }

  /** An owned SKU with live stock figures from Redis. */
  async getSku(caller: Caller, skuId: string): Promise<SkuWithStock> {
    const sku = await this.ownedSku(caller, skuId);
    return { ...sku, stock: await this.stock.figures(skuId) };
  }

  /** Sets on-hand (and optionally safety stock) of an owned SKU in a warehouse. */
  async setStock(
    caller: Caller,
    input: { skuId: string; warehouseId: string; onHand: number; safetyStock?: number },
  ): Promise<StockFigures & { skuId: string }> {
    await this.ownedSku(caller, input.skuId);
    await this.assertWarehouse(input.warehouseId);
    return { skuId: input.skuId, ...(await this.stock.adjust(input)) };
  }

  private async ownedSku(caller: Caller, skuId: string): Promise<SkuRecord> {
    const sku = (await findSkus(this.pool, [skuId]))[0];
    if (!sku) throw new OmsError("NOT_FOUND", `SKU ${skuId} not found`, { skuId });
    assertShopAccess(caller, sku.shopId);
    return sku;
  }

  private async assertWarehouse(warehouseId: string): Promise<void> {
    const known = (list: { warehouseId: string }[]) => list.some((w) => w.warehouseId === warehouseId);
    if (known(await this.cache.warehouses())) return;
    // The cache may predate a warehouse another pod just created: ask the table before refusing.
    this.cache.forgetWarehouses();
    if (known(await this.cache.warehouses())) return;
    throw new OmsError("WAREHOUSE_NOT_FOUND", `Warehouse ${warehouseId} does not exist`, { warehouseId });
  }
}

/** Operations only the platform operator may run. */
export function assertAdmin(caller: Caller): void {
  if (caller.role !== "admin") throw new OmsError("FORBIDDEN", "Admins only", { role: caller.role });
}
