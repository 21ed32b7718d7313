import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { OrderPaidPayload } from "../../../shared/contracts/order.contract";
import type { Fulfilment, FulfilmentLine, Package } from "./package";
import { packageIdOf } from "./package";
import { type SplitRules, splitIntoPackages } from "./split";

/** A paid order's fulfilment: the order, its lines as bought, and the packages the split made. */
export interface FulfilmentPlan {
  fulfilment: Fulfilment;
  lines: FulfilmentLine[];
  packages: Package[];
}

/** Units of a line to pack, with the warehouse their stock is reserved in. */
export interface StockedLine {
  lineId: string;
  skuId: string;
  warehouseId: string;
  quantity: number;
}

/** How new packages are numbered: ids `<ownerNo>-1`, `-2`, ..., positions from `firstPosition`. */
export interface PackageNumbering {
  ownerNo: string;
  firstPosition: number;
  afterSalesNo: string | null;
}

/**
 * Each line with its SKU's storage class, unit weight, volume and declared value. Throws when a SKU is
 * unknown (`whose` names the order or exchange in the message).
 */
export function withSkuFigures(
  lines: readonly StockedLine[],
  skus: readonly SkuInfo[],
  whose: string,
): FulfilmentLine[] {
  const byId = new Map(skus.map((s) => [s.skuId, s]));
  return lines.map((l) => {
    const sku = byId.get(l.skuId);
    if (!sku) throw new Error(`SKU ${l.skuId} of ${whose} is unknown to the inventory`);
    return {
      lineId: l.lineId,
      skuId: l.skuId,
      warehouseId: l.warehouseId,
      quantity: l.quantity,
      storageClass: sku.storageClass,
      unitWeightGrams: sku.weightGrams,
      unitVolumeCm3: sku.volumeCm3,
      unitDeclaredValueMinor: sku.declaredValueMinor,
    };
  });
}

/** Cuts the lines into PENDING packages of the order by the split rules (DOMAIN.md 10), numbered as given. */
export function splitLines(
  orderNo: string,
  lines: readonly FulfilmentLine[],
  rules: SplitRules,
  numbering: PackageNumbering,
  now: Date,
): Package[] {
  return splitIntoPackages(lines, rules).map(
    (p, i): Package => ({
      packageId: packageIdOf(numbering.ownerNo, i + 1),
      orderNo,
      position: numbering.firstPosition + i,
      afterSalesNo: numbering.afterSalesNo,
      warehouseId: p.warehouseId,
      status: "PENDING",
      splitReason: p.reason,
      method: null,
      carrier: null,
      trackingNo: null,
      lines: p.lines.map((l) => ({ ...l, plannedQuantity: l.quantity })),
      task: {
        waybillPrintedAt: null,
        pickedAt: null,
        packedAt: null,
        handedOverAt: null,
        interceptedAt: null,
      },
      createdAt: now,
    }),
  );
}

/**
 * Turns `order.paid` into packages: each line gets its SKU's figures, then the split rules cut the
 * order. Packages are numbered from 1 in the split's order, all PENDING. Throws when a SKU is unknown
 * (the event is retried, then dead-lettered).
 */
export function planFulfilment(
  paid: OrderPaidPayload,
  skus: readonly SkuInfo[],
  rules: SplitRules,
  now: Date,
): FulfilmentPlan {
  const lines = withSkuFigures(paid.lines, skus, `order ${paid.orderNo}`);
  const numbering = { ownerNo: paid.orderNo, firstPosition: 1, afterSalesNo: null };
  const packages = splitLines(paid.orderNo, lines, rules, numbering, now);
  const { orderNo, parentOrderNo, shopId, buyerId, paymentNo, address } = paid;
  return {
    fulfilment: {
      orderNo,
      parentOrderNo,
      shopId,
      buyerId,
      paymentNo,
      paidAt: new Date(paid.paidAt),
      address,
    },
    lines,
    packages,
  };
}
