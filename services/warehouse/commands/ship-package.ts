import type { Caller } from "../../../shared/contracts/caller";
import {
  type PackageShippedPayload,
  type PackageView,
  WAREHOUSE_CHANNELS,
} from "../../../shared/contracts/warehouse.contract";
import { withTransaction } from "../../../shared/db/pool";
import { recordEvent } from "../../../shared/outbox/outbox";
import { allHandedOver, type Fulfilment, type Package } from "../domain/package";
import { planShipping, type ShippingPlan, type ShipRequest } from "../domain/shipping-plan";
import { assertOpen, type Handover, runPackageEvent } from "../domain/task-steps";
import { findFulfilment, packagesOfOrder, updatePackages } from "../store/package.repo";
import { onlineWaybill } from "./advance-task";
import { ownPackage, presentWithTracking } from "./package-views";
import type { WarehouseDeps } from "./warehouse-deps";

/** Binds the carrier's number to the package at logistics (idempotent per package); none for NO_LOGISTICS. */
async function bindCarrier(
  deps: WarehouseDeps,
  pkg: Package,
  fulfilment: Fulfilment,
  plan: ShippingPlan,
): Promise<Handover> {
  if (plan.kind === "NO_LOGISTICS") return { method: "NO_LOGISTICS", carrier: null, trackingNo: null };
  const method = plan.kind === "MANUAL" ? "MANUAL" : "ONLINE_WAYBILL";
  const number =
    plan.kind === "NEW_WAYBILL" ? await onlineWaybill(deps, pkg, fulfilment, plan.carrier) : plan;
  const shipment = await deps.calls.registerShipment({
    carrier: number.carrier,
    trackingNo: number.trackingNo,
    packageId: pkg.packageId,
    orderNo: pkg.orderNo,
    method,
  });
  return { method, carrier: shipment.carrier, trackingNo: shipment.trackingNo };
}

/**
 * Hands a package over (ship): checks the caller, the package's state and the method's fields, binds
 * the carrier's number at logistics, then under the order's lock re-checks the state, sets HANDED_OVER
 * and records `package.shipped` with `allShipped` decided there (the order's own packages; a replacement
 * package's event carries its `afterSalesNo`). Nothing is written on any error.
 */
export async function shipPackage(
  deps: WarehouseDeps,
  caller: Caller,
  req: ShipRequest,
): Promise<PackageView> {
  const { pkg, fulfilment } = await ownPackage(deps.pool, caller, req.packageId);
  assertOpen(pkg);
  const handover = await bindCarrier(deps, pkg, fulfilment, planShipping(pkg, req));
  const now = deps.now();
  const shipped = await withTransaction(deps.pool, async (tx) => {
    await findFulfilment(tx, pkg.orderNo, true);
    const packages = await packagesOfOrder(tx, pkg.orderNo);
    const current = packages.find((p) => p.packageId === pkg.packageId) as Package;
    const next = runPackageEvent(current, "HAND_OVER", now, { handover }).pkg;
    await updatePackages(tx, [next], now);
    const after = packages.map((p) => (p.packageId === next.packageId ? next : p));
    await recordEvent<PackageShippedPayload>(
      tx,
      WAREHOUSE_CHANNELS.shipped,
      {
        packageId: next.packageId,
        orderNo: next.orderNo,
        shopId: fulfilment.shopId,
        buyerId: fulfilment.buyerId,
        method: handover.method,
        carrier: handover.carrier,
        trackingNo: handover.trackingNo,
        shippedAt: now.toISOString(),
        allShipped: allHandedOver(after),
        afterSalesNo: next.afterSalesNo,
      },
      now,
    );
    return next;
  });
  deps.committed();
  return (await presentWithTracking(deps, [shipped]))[0]!;
}
