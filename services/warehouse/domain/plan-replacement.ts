import type { ReservedLine, ReserveParams, SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { OrderAddress } from "../../../shared/contracts/order.contract";
import type { CreateReplacementParams } from "../../../shared/contracts/warehouse.contract";
import { validationFailed } from "../../../shared/errors";
import type { Fulfilment, FulfilmentLine, Package } from "./package";
import { splitLines, withSkuFigures } from "./plan-fulfilment";
import type { SplitRules } from "./split";

/** An exchange's replacement as the warehouse keeps it: where it goes and what it carries. */
export interface Replacement {
  afterSalesNo: string;
  orderNo: string;
  buyerId: string;
  /** The receiver the exchange gave; waybills of its packages go here. */
  address: OrderAddress;
  /** The replacement units with the warehouse they are sold from and the SKU figures the split used. */
  lines: FulfilmentLine[];
  packageIds: string[];
  createdAt: Date;
}

/** A replacement and the packages made for it. */
export interface ReplacementPlan {
  replacement: Replacement;
  packages: Package[];
}

/**
 * 422 for a request that does not fit the order: another shop or buyer, a line the order does not
 * have, a line named twice (each line is one package line).
 */
export function checkReplacement(
  req: CreateReplacementParams,
  fulfilment: Fulfilment,
  bought: readonly Pick<FulfilmentLine, "lineId">[],
): void {
  if (req.shopId !== fulfilment.shopId) throw validationFailed("shopId", "The order is another shop's");
  if (req.buyerId !== fulfilment.buyerId) throw validationFailed("buyerId", "The order is another buyer's");
  const seen = new Set<string>();
  req.lines.forEach((l, i) => {
    if (!bought.some((b) => b.lineId === l.lineId))
      throw validationFailed(`lines[${i}].lineId`, "No such line in the order", { lineId: l.lineId });
    if (seen.has(l.lineId))
      throw validationFailed(`lines[${i}].lineId`, "The line is listed twice", { lineId: l.lineId });
    seen.add(l.lineId);
  });
}

/**
 * The exchange's own reservation (id = the after-sales number), reserved on order: one line per SKU,
 * since the inventory keeps one line per (reservation, SKU); the first line's id names it.
 */
export function replacementReservation(req: CreateReplacementParams): ReserveParams {
  const bySku = new Map<string, ReserveParams["lines"][number]>();
  for (const l of req.lines) {
    const line = bySku.get(l.skuId);
    if (line) line.quantity += l.quantity;
    else
      bySku.set(l.skuId, {
        lineId: l.lineId,
        skuId: l.skuId,
        quantity: l.quantity,
        strategy: "RESERVE_ON_ORDER",
      });
  }
  return {
    reservationId: req.afterSalesNo,
    buyerId: req.buyerId,
    province: req.address.province,
    lines: [...bySku.values()],
    replacement: true,
  };
}

/**
 * Packs the replacement units like any order (the split rules) from the warehouses the inventory sold
 * them from. Package ids are `<afterSalesNo>-1`, `-2`, ...; positions continue after the order's last
 * package (`firstPosition`). Throws when a SKU is unknown or was not sold under the reservation.
 */
export function planReplacement(
  req: CreateReplacementParams,
  sold: readonly Pick<ReservedLine, "skuId" | "warehouseId">[],
  skus: readonly SkuInfo[],
  rules: SplitRules,
  firstPosition: number,
  now: Date,
): ReplacementPlan {
  const warehouseOf = new Map(sold.map((l) => [l.skuId, l.warehouseId]));
  const stocked = req.lines.map((l) => {
    const warehouseId = warehouseOf.get(l.skuId);
    if (!warehouseId) throw new Error(`SKU ${l.skuId} of exchange ${req.afterSalesNo} was not sold to it`);
    return { lineId: l.lineId, skuId: l.skuId, warehouseId, quantity: l.quantity };
  });
  const lines = withSkuFigures(stocked, skus, `exchange ${req.afterSalesNo}`);
  const numbering = { ownerNo: req.afterSalesNo, firstPosition, afterSalesNo: req.afterSalesNo };
  const packages = splitLines(req.orderNo, lines, rules, numbering, now);
  return {
    replacement: {
      afterSalesNo: req.afterSalesNo,
      orderNo: req.orderNo,
      buyerId: req.buyerId,
      address: req.address,
      lines,
      packageIds: packages.map((p) => p.packageId),
      createdAt: now,
    },
    packages,
  };
}
