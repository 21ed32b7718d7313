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

/**
 * Turns `order.paid` into packages: each line gets its SKU's storage class, unit weight, volume and
 * declared value, then the split rules cut the order (DOMAIN.md 10). Packages are numbered from 1 in the
 * split's order, all PENDING. Throws when a SKU is unknown (the event is retried, then dead-lettered).
 */
export function planFulfilment(
  paid: OrderPaidPayload,
  skus: readonly SkuInfo[],
  rules: SplitRules,
  now: Date,
): FulfilmentPlan {
  const byId = new Map(skus.map((s) => [s.skuId, s]));
  const lines: FulfilmentLine[] = paid.lines.map((l) => {
    const sku = byId.get(l.skuId);
    if (!sku) throw new Error(`SKU ${l.skuId} of order ${paid.orderNo} is unknown to the inventory`);
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
  const planned = splitIntoPackages(
    lines.map((l) => ({
      lineId: l.lineId,
      skuId: l.skuId,
      warehouseId: l.warehouseId,
      storageClass: l.storageClass,
      quantity: l.quantity,
      unitWeightGrams: l.unitWeightGrams,
      unitVolumeCm3: l.unitVolumeCm3,
      unitDeclaredValueMinor: l.unitDeclaredValueMinor,
    })),
    rules,
  );
  const packages = planned.map(
    (p, i): Package => ({
      packageId: packageIdOf(paid.orderNo, i + 1),
      orderNo: paid.orderNo,
      position: i + 1,
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
