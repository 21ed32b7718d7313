/** A warehouse and the provinces it serves. */
export interface WarehouseArea {
  warehouseId: string;
  provinces: readonly string[];
}

const byId = (a: WarehouseArea, b: WarehouseArea) =>
  a.warehouseId < b.warehouseId ? -1 : a.warehouseId > b.warehouseId ? 1 : 0;

/**
 * The order in which to try warehouses for a receiver: those serving the
 * province first, then every other one, each group by id so the choice is
 * deterministic (and testable) across pods.
 */
export function warehousePreference(warehouses: readonly WarehouseArea[], province: string): string[] {
  const wanted = province.trim();
  const sorted = [...warehouses].sort(byId);
  const serving = sorted.filter((w) => w.provinces.some((p) => p.trim() === wanted));
  const others = sorted.filter((w) => !serving.includes(w));
  return [...serving, ...others].map((w) => w.warehouseId);
}

/** The candidates for deducting a line that was only checked: the checked warehouse first, then the usual order. */
export function checkedFirst(preference: readonly string[], checkedWarehouseId: string): string[] {
  return [checkedWarehouseId, ...preference.filter((w) => w !== checkedWarehouseId)];
}
