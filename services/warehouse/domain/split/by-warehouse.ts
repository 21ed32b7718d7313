import type { LineGroup, SplitLine } from "./split-types";

/** Rule 1: one group per warehouse, in warehouseId order, lines in input order. */
export function splitByWarehouse(lines: readonly SplitLine[]): LineGroup[] {
  const byWarehouse = new Map<string, SplitLine[]>();
  for (const line of lines) {
    const group = byWarehouse.get(line.warehouseId);
    if (group) group.push(line);
    else byWarehouse.set(line.warehouseId, [line]);
  }
  const ids = [...byWarehouse.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const reason = ids.length > 1 ? "WAREHOUSE" : null;
  return ids.map((warehouseId) => ({ warehouseId, lines: byWarehouse.get(warehouseId)!, reason }));
}
