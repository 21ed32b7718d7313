import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { WarehouseArea } from "../domain/warehouse-preference";

/** Where the cache loads from (the catalog tables). */
export interface CatalogSource {
  skus(skuIds: readonly string[]): Promise<SkuInfo[]>;
  warehouses(): Promise<WarehouseArea[]>;
}

const MAX_SKUS = 100_000;

/**
 * SKUs and warehouses for the reserve path, kept in memory for a few seconds
 * so a flash sale does not hit PostgreSQL per attempt. Changes are pushed to
 * every pod (`forget*` on a broadcast), the TTL bounds a missed broadcast.
 */
export class CatalogCache {
  private readonly skuEntries = new Map<string, { sku: SkuInfo | null; until: number }>();
  private warehouseEntry?: { list: WarehouseArea[]; until: number };

  constructor(
    private readonly source: CatalogSource,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The SKUs that exist among `skuIds`, by id. */
  async skus(skuIds: readonly string[]): Promise<Map<string, SkuInfo>> {
    const now = this.now();
    const missing = skuIds.filter((id) => (this.skuEntries.get(id)?.until ?? 0) <= now);
    if (missing.length > 0) {
      const loaded = new Map((await this.source.skus(missing)).map((s) => [s.skuId, s]));
      if (this.skuEntries.size > MAX_SKUS) this.skuEntries.clear();
      for (const id of missing)
        this.skuEntries.set(id, { sku: loaded.get(id) ?? null, until: now + this.ttlMs });
    }
    const found = new Map<string, SkuInfo>();
    for (const id of skuIds) {
      const sku = this.skuEntries.get(id)?.sku;
      if (sku) found.set(id, sku);
    }
    return found;
  }

  /** Every warehouse with the provinces it serves. */
  async warehouses(): Promise<WarehouseArea[]> {
    const now = this.now();
    if (!this.warehouseEntry || this.warehouseEntry.until <= now)
      this.warehouseEntry = { list: await this.source.warehouses(), until: now + this.ttlMs };
    return this.warehouseEntry.list;
  }

  /** Drops one SKU (it was created or changed). */
  forgetSku(skuId: string): void {
    this.skuEntries.delete(skuId);
  }

  /** Drops the warehouse list (one was added). */
  forgetWarehouses(): void {
    this.warehouseEntry = undefined;
  }
}
