import type { FulfilmentLine, Package } from "../../../services/warehouse/domain/package";

export const T0 = new Date("2026-11-26T08:00:00Z");
export const T1 = new Date("2026-11-26T09:00:00Z");

/** A PENDING package of order 2026112600000001 holding the given lines (lineId -> units); not a replacement. */
export function pkg(position: number, units: Record<string, number>, patch: Partial<Package> = {}): Package {
  return {
    packageId: `2026112600000001-${position}`,
    orderNo: "2026112600000001",
    position,
    afterSalesNo: null,
    warehouseId: "wh-1",
    status: "PENDING",
    splitReason: null,
    method: null,
    carrier: null,
    trackingNo: null,
    lines: Object.entries(units).map(([lineId, quantity]) => ({
      lineId,
      skuId: `sku-${lineId}`,
      quantity,
      plannedQuantity: quantity,
    })),
    task: { waybillPrintedAt: null, pickedAt: null, packedAt: null, handedOverAt: null, interceptedAt: null },
    createdAt: T0,
    ...patch,
  };
}

/** Order lines as bought (lineId -> units). */
export function bought(units: Record<string, number>): FulfilmentLine[] {
  return Object.entries(units).map(([lineId, quantity]) => ({
    lineId,
    skuId: `sku-${lineId}`,
    warehouseId: "wh-1",
    quantity,
    storageClass: "AMBIENT",
    unitWeightGrams: 250,
    unitVolumeCm3: 1000,
    unitDeclaredValueMinor: 1999,
  }));
}
