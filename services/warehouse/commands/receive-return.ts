import type { ReceiveReturnParams, ReceiveReturnResult } from "../../../shared/contracts/warehouse.contract";
import { validationFailed } from "../../../shared/errors";
import { restockUnits } from "../domain/return-receipt";
import { findReceipt, keepFirstReceipt } from "../store/return-receipt.repo";
import type { WarehouseDeps } from "./warehouse-deps";

/**
 * `warehouse.receiveReturn` (退货入库): the units go back on hand through `inventory.restock`, then the
 * receipt is recorded once per returnId. Restock comes first and on every call: it is idempotent per
 * returnId at the inventory (for good), so a retry after a crash between the two moves nothing twice and
 * records the receipt then; a restock the inventory refuses (unknown SKU or warehouse) leaves no receipt
 * behind to block a corrected retry, and a receipt always means the units are on hand. A retry answers
 * the first receipt's time; one naming another order is a 422.
 */
export async function receiveReturn(
  deps: WarehouseDeps,
  params: ReceiveReturnParams,
): Promise<ReceiveReturnResult> {
  const units = restockUnits(params.lines);
  const stored = await findReceipt(deps.pool, params.returnId);
  if (stored && stored.orderNo !== params.orderNo)
    throw validationFailed("returnId", "The returnId was used for another order", {
      orderNo: stored.orderNo,
    });
  const restocked = await deps.calls.restock({
    returnId: params.returnId,
    lines: units,
    reason: `return received for order ${params.orderNo}`,
  });
  const receipt =
    stored ??
    (await keepFirstReceipt(deps.pool, {
      returnId: params.returnId,
      orderNo: params.orderNo,
      lines: params.lines.map(({ lineId, skuId, warehouseId, quantity }) => ({
        lineId,
        skuId,
        warehouseId,
        quantity,
      })),
      restocked: restocked.lines,
      receivedAt: deps.now(),
    }));
  if (receipt.orderNo !== params.orderNo)
    throw validationFailed("returnId", "The returnId was used for another order", {
      orderNo: receipt.orderNo,
    });
  return { returnId: receipt.returnId, receivedAt: receipt.receivedAt.toISOString() };
}
