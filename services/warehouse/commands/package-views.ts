import type { Caller } from "../../../shared/contracts/caller";
import { assertShopAccess } from "../../../shared/contracts/caller";
import type { ShipmentRecord } from "../../../shared/contracts/logistics.contract";
import type { PackagesOfResult, PackageView } from "../../../shared/contracts/warehouse.contract";
import type { Queryable } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import type { Fulfilment, Package } from "../domain/package";
import { presentPackage } from "../domain/package-view";
import { findFulfilment, findPackage, packagesOfOrder } from "../store/package.repo";
import type { WarehouseDeps } from "./warehouse-deps";

/** The package and its order, if the caller may work on it: 404 PACKAGE_NOT_FOUND, 403 FORBIDDEN (another shop). */
export async function ownPackage(
  q: Queryable,
  caller: Caller,
  packageId: string,
): Promise<{ pkg: Package; fulfilment: Fulfilment }> {
  const pkg = await findPackage(q, packageId);
  const fulfilment = pkg && (await findFulfilment(q, pkg.orderNo));
  if (!pkg || !fulfilment) throw new OmsError("PACKAGE_NOT_FOUND", "Package not found", { packageId });
  assertShopAccess(caller, fulfilment.shopId);
  return { pkg, fulfilment };
}

/**
 * Packages as the API shows them, with tracking from logistics; when logistics cannot answer, the
 * packages are still shown (logisticsStatus null, no events) rather than failing the read.
 */
export async function presentWithTracking(deps: WarehouseDeps, packages: Package[]): Promise<PackageView[]> {
  const shipped = packages.filter((p) => p.trackingNo !== null).map((p) => p.packageId);
  let shipments: ShipmentRecord[] = [];
  if (shipped.length > 0) {
    try {
      shipments = await deps.calls.tracking(shipped);
    } catch (err) {
      deps.logger.warn("tracking unavailable; packages shown without it", {
        packageIds: shipped,
        error: (err as Error).message,
      });
    }
  }
  const byPackage = new Map(shipments.map((s) => [s.packageId, s]));
  return packages.map((p) => presentPackage(p, byPackage.get(p.packageId) ?? null));
}

/** `warehouse.packagesOf`: the order's packages in position order (none before the order is paid and split). */
export async function packagesOf(deps: WarehouseDeps, orderNo: string): Promise<PackagesOfResult> {
  return { items: await presentWithTracking(deps, await packagesOfOrder(deps.pool, orderNo)) };
}

/** `warehouse.packageOwner`: whose package it is (for another service's access check). */
export async function packageOwner(deps: WarehouseDeps, packageId: string) {
  const pkg = await findPackage(deps.pool, packageId);
  const fulfilment = pkg && (await findFulfilment(deps.pool, pkg.orderNo));
  if (!pkg || !fulfilment) throw new OmsError("PACKAGE_NOT_FOUND", "Package not found", { packageId });
  const { orderNo, shopId, buyerId } = fulfilment;
  return { packageId, orderNo, shopId, buyerId, status: pkg.status };
}
