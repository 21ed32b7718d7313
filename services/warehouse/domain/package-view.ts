import type { ShipmentRecord } from "../../../shared/contracts/logistics.contract";
import type { PackageView } from "../../../shared/contracts/warehouse.contract";
import type { Package } from "./package";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A package as the API shows it, with its tracking when logistics knows the package (null status and
 * no events otherwise, or when logistics could not be asked), and when its waybill was cancelled at the
 * carrier. Lines list the units still in it.
 */
export function presentPackage(pkg: Package, shipment: ShipmentRecord | null = null): PackageView {
  return {
    packageId: pkg.packageId,
    orderNo: pkg.orderNo,
    warehouseId: pkg.warehouseId,
    status: pkg.status,
    lines: pkg.lines
      .filter((l) => l.quantity > 0)
      .map((l) => ({ lineId: l.lineId, skuId: l.skuId, quantity: l.quantity })),
    method: pkg.method,
    carrier: pkg.carrier,
    trackingNo: pkg.trackingNo,
    logisticsStatus: shipment?.status ?? null,
    events: shipment?.events ?? [],
    splitReason: pkg.splitReason,
    afterSalesNo: pkg.afterSalesNo,
    ...(shipment?.cancelledAt ? { waybillCancelledAt: shipment.cancelledAt } : {}),
    task: {
      waybillPrintedAt: iso(pkg.task.waybillPrintedAt),
      pickedAt: iso(pkg.task.pickedAt),
      packedAt: iso(pkg.task.packedAt),
      handedOverAt: iso(pkg.task.handedOverAt),
      interceptedAt: iso(pkg.task.interceptedAt),
    },
    createdAt: pkg.createdAt.toISOString(),
  };
}
