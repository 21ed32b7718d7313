import type { Pool } from "pg";
import { recordStockCheck, type StockCheck } from "../store/stock-check.repo";
import type { StockRebuilder } from "./rebuild";

/**
 * One stock check (periodic, or an operator's `POST /admin/inventory/checks`): the reconciliation
 * (drift seen twice, a drain apart), recorded with the `inventory.drifted` event when its drift is new,
 * or `inventory.drift-cleared` when it is clean after drift.
 */
export async function checkStock(o: { rebuilder: StockRebuilder; pool: Pool }): Promise<StockCheck> {
  const report = await o.rebuilder.reconcile();
  return recordStockCheck(o.pool, new Date(report.checkedAt), report.drift);
}
