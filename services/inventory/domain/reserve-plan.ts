import type { ReserveParams, SkuInfo } from "../../../shared/contracts/inventory.contract";
import { OmsError } from "../../../shared/errors";
import { type WarehouseArea, warehousePreference } from "./warehouse-preference";

/** One line as the reserve script takes it: what to hold or check, the limit, and where to look in order. */
export interface ReservePlanLine {
  skuId: string;
  lineId: string;
  quantity: number;
  strategy: ReserveParams["lines"][number]["strategy"];
  /** The buyer's purchase limit for this SKU, or null when it has none. */
  limit: number | null;
  candidates: string[];
}

/** Two lines of one SKU would share one idempotency slot (reservation, SKU): the caller must merge them. */
export function assertDistinctSkus(lines: readonly { skuId: string }[]): void {
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (seen.has(line.skuId))
      throw new OmsError("VALIDATION_FAILED", `SKU ${line.skuId} appears on more than one line`, {
        field: `lines[${i}].skuId`,
        skuId: line.skuId,
      });
    seen.add(line.skuId);
  });
}

/**
 * Every line's SKU must exist and (unless `offSaleToo`) be on sale, else SKU_NOT_FOUND / SKU_OFF_SALE naming
 * the first that fails.
 */
export function assertSellable(
  lines: readonly { skuId: string }[],
  skus: ReadonlyMap<string, SkuInfo>,
  offSaleToo = false,
): void {
  for (const { skuId } of lines) {
    const sku = skus.get(skuId);
    if (!sku) throw new OmsError("SKU_NOT_FOUND", `SKU ${skuId} does not exist`, { skuId });
    if (!sku.onSale && !offSaleToo)
      throw new OmsError("SKU_OFF_SALE", `SKU ${skuId} is not on sale`, { skuId });
  }
}

/** The reserve script's input: per line the SKU's limit and the warehouses in preference order. */
export function planReserve(
  params: ReserveParams,
  skus: ReadonlyMap<string, SkuInfo>,
  warehouses: readonly WarehouseArea[],
): ReservePlanLine[] {
  assertDistinctSkus(params.lines);
  // An exchange's replacement is no new purchase: no purchase limit, and an off-sale SKU may still be sent.
  const replacement = params.replacement === true;
  assertSellable(params.lines, skus, replacement);
  const candidates = warehousePreference(warehouses, params.province);
  return params.lines.map((line) => ({
    skuId: line.skuId,
    lineId: line.lineId,
    quantity: line.quantity,
    strategy: line.strategy,
    limit: replacement ? null : (skus.get(line.skuId)?.purchaseLimitPerUser ?? null),
    candidates,
  }));
}
