import type { Caller } from "../../../shared/contracts/caller";
import type { Carrier } from "../../../shared/contracts/logistics.contract";
import type { PackageView, TaskStep } from "../../../shared/contracts/warehouse.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { type Fulfilment, hasWaybill, type Package, packageWeightGrams } from "../domain/package";
import { runPackageEvent } from "../domain/task-steps";
import { currentAddress } from "../store/address.repo";
import { findFulfilment, findPackage, fulfilmentLines, updatePackages } from "../store/package.repo";
import { findReplacement } from "../store/replacement.repo";
import { ownPackage, presentWithTracking } from "./package-views";
import type { WarehouseDeps } from "./warehouse-deps";

/** `warehouse.advanceTask` as the merchant asked it. */
export interface AdvanceTaskRequest {
  packageId: string;
  step: TaskStep;
  carrier?: string;
}

/**
 * Where the package goes and its lines' unit weights: an exchange's replacement goes to the receiver the
 * exchange gave, with its own lines; the order's packages go to the order's newest receiver.
 */
async function waybillFacts(deps: WarehouseDeps, pkg: Package, fulfilment: Fulfilment) {
  if (pkg.afterSalesNo) {
    const replacement = await findReplacement(deps.pool, pkg.afterSalesNo);
    if (!replacement)
      throw new Error(`replacement ${pkg.afterSalesNo} of package ${pkg.packageId} is missing`);
    return { address: replacement.address, lines: replacement.lines };
  }
  const address = (await currentAddress(deps.pool, pkg.orderNo)) ?? fulfilment.address;
  return { address, lines: await fulfilmentLines(deps.pool, pkg.orderNo) };
}

/**
 * An online waybill for the package from the carrier, to its receiver (idempotent per package at
 * logistics). The one already bound is reused; otherwise a carrier is required.
 */
export async function onlineWaybill(
  deps: WarehouseDeps,
  pkg: Package,
  fulfilment: Fulfilment,
  carrier: string | undefined,
): Promise<{ carrier: Carrier; trackingNo: string }> {
  if (hasWaybill(pkg)) return { carrier: pkg.carrier as Carrier, trackingNo: pkg.trackingNo as string };
  if (!carrier)
    throw new OmsError("CARRIER_REQUIRED", "An online waybill needs a carrier", { field: "carrier" });
  const { address, lines } = await waybillFacts(deps, pkg, fulfilment);
  const waybill = await deps.calls.createWaybill({
    carrier,
    packageId: pkg.packageId,
    orderNo: pkg.orderNo,
    address,
    // A carrier bills at least a gram; SKUs recorded without a weight still get a waybill.
    weightGrams: Math.max(1, packageWeightGrams(pkg, lines)),
  });
  return { carrier: waybill.carrier, trackingNo: waybill.trackingNo };
}

/**
 * Records a task step with its time (print waybill, pick, pack; see the task table). A step already
 * done answers the package unchanged. The waybill comes from the carrier before the transaction; the
 * step is decided again under the order's lock, so a concurrent hand-over or interception wins cleanly.
 */
export async function advanceTask(
  deps: WarehouseDeps,
  caller: Caller,
  req: AdvanceTaskRequest,
): Promise<PackageView> {
  const { pkg, fulfilment } = await ownPackage(deps.pool, caller, req.packageId);
  if (!runPackageEvent(pkg, req.step, deps.now()).changed)
    return (await presentWithTracking(deps, [pkg]))[0]!;
  const waybill =
    req.step === "PRINT_WAYBILL" ? await onlineWaybill(deps, pkg, fulfilment, req.carrier) : undefined;
  const now = deps.now();
  const next = await withTransaction(deps.pool, async (tx) => {
    await findFulfilment(tx, pkg.orderNo, true);
    const current = (await findPackage(tx, pkg.packageId)) as Package;
    const step = runPackageEvent(current, req.step, now, { waybill });
    if (step.changed) await updatePackages(tx, [step.pkg], now);
    return step.pkg;
  });
  return (await presentWithTracking(deps, [next]))[0]!;
}
