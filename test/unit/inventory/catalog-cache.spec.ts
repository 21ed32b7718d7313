import { CatalogCache } from "../../../services/inventory/catalog/catalog-cache";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";

describe("CatalogCache", () => {
  let now = 0;
  const loads: string[][] = [];
  let warehouseLoads = 0;
  const cache = new CatalogCache(
    {
      skus: async (ids) => {
        loads.push([...ids]);
        return ids.filter((id) => id !== "missing").map((skuId) => ({ skuId }) as SkuInfo);
      },
      warehouses: async () => {
        warehouseLoads += 1;
        return [];
      },
    },
    1000,
    () => now,
  );

  it("loads only what it does not hold, remembers unknown SKUs too, and reloads after the TTL", async () => {
    expect([...(await cache.skus(["A", "missing"])).keys()]).toEqual(["A"]);
    expect([...(await cache.skus(["A", "B", "missing"])).keys()]).toEqual(["A", "B"]);
    expect(loads).toEqual([["A", "missing"], ["B"]]);
    now = 1500;
    await cache.skus(["A"]);
    expect(loads.at(-1)).toEqual(["A"]);
  });

  it("drops a SKU or the warehouse list when told they changed", async () => {
    cache.forgetSku("B");
    await cache.skus(["B"]);
    expect(loads.at(-1)).toEqual(["B"]);
    await cache.warehouses();
    await cache.warehouses();
    cache.forgetWarehouses();
    await cache.warehouses();
    expect(warehouseLoads).toBe(2);
  });
});
