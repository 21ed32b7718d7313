import type { CreateWaybillParams, WaybillResult } from "../../../shared/contracts/logistics.contract";
import { OmsError } from "../../../shared/errors";
import { carrierOf } from "../carriers/carrier-registry";
import { assertWaybillLive } from "../domain/waybill-cancel";
import { findShipment, isIntercepted } from "../store/shipment.repo";
import { assertReplaceable, bindWaybill } from "./bind-waybill";
import { cancelAtCarrier } from "./cancel-waybill";
import type { LogisticsDeps } from "./logistics-deps";

/**
 * `logistics.createWaybill`: an online waybill from the carrier for a package. Idempotent per
 * package: while the package has a waybill of that carrier, a retry answers its number without
 * asking the carrier again. Another carrier's waybill is replaced while it has no tracking events.
 * A package whose waybill was cancelled gets none (409 CONFLICT WAYBILL_CANCELLED), nor does one the
 * warehouse intercepted (409 PACKAGE_INTERCEPTED): one bound while the interception was being consumed
 * is cancelled at the carrier at once.
 */
export async function createWaybill(deps: LogisticsDeps, p: CreateWaybillParams): Promise<WaybillResult> {
  const carrier = carrierOf(p.carrier);
  const sameCarrier = (existing: { carrier: string }) => existing.carrier === carrier;
  if (await isIntercepted(deps.pool, p.packageId)) throw intercepted(p.packageId);
  const existing = await findShipment(deps.pool, p.packageId);
  if (existing) assertWaybillLive(existing);
  if (existing && sameCarrier(existing)) return { carrier, trackingNo: existing.trackingNo };
  if (existing) await assertReplaceable(deps.pool, existing);
  const { trackingNo } = await deps.carriers.get(carrier).createWaybill({
    packageId: p.packageId,
    orderNo: p.orderNo,
    address: p.address,
    weightGrams: p.weightGrams,
  });
  // A concurrent request for the same package may have bound its own number first: that one is kept.
  const bound = await bindWaybill(
    deps.pool,
    { packageId: p.packageId, orderNo: p.orderNo, carrier, trackingNo, method: "ONLINE_WAYBILL" },
    sameCarrier,
  );
  if (bound.intercepted) {
    // Intercepted while the carrier was answering: the interception's consumer found no waybill yet.
    await cancelAtCarrier(
      deps,
      bound.shipment,
      "package intercepted before its waybill was bound",
      new Date(),
    );
    throw intercepted(p.packageId);
  }
  return { carrier, trackingNo: bound.shipment.trackingNo };
}

const intercepted = (packageId: string) =>
  new OmsError("PACKAGE_INTERCEPTED", "The package was intercepted: it takes no waybill", { packageId });
