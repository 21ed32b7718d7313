import type { ReceiveReturnParams } from "../../../shared/contracts/warehouse.contract";
import { validationFailed } from "../../../shared/errors";

/** Units going back on hand: a SKU in a warehouse. */
export interface RestockUnits {
  skuId: string;
  warehouseId: string;
  quantity: number;
}

/**
 * The return's lines summed per SKU and warehouse, as `inventory.restock` takes them (one line per SKU).
 * One SKU returned into two warehouses is a 422 naming the second line's warehouseId.
 */
export function restockUnits(lines: ReceiveReturnParams["lines"]): RestockUnits[] {
  const bySku = new Map<string, RestockUnits>();
  lines.forEach((l, i) => {
    const units = bySku.get(l.skuId);
    if (!units) bySku.set(l.skuId, { skuId: l.skuId, warehouseId: l.warehouseId, quantity: l.quantity });
    else if (units.warehouseId !== l.warehouseId)
      throw validationFailed(`lines[${i}].warehouseId`, "A SKU comes back into one warehouse per return", {
        skuId: l.skuId,
        warehouseId: units.warehouseId,
      });
    else units.quantity += l.quantity;
  });
  return [...bySku.values()];
}
