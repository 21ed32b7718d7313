import {
  CARRIERS,
  type CancelWaybillParams,
  type ShipmentRecord,
} from "../../../shared/contracts/logistics.contract";
import { OmsError, validationFailed } from "../../../shared/errors";
import { CARRIER_FORMATS, carrierOf } from "../carriers/carrier-registry";
import { normalizeTrackingNo, type Shipment } from "../domain/shipment";
import { needsCarrierCancel } from "../domain/waybill-cancel";
import { trackShipments } from "../logistics-queries";
import { findByTrackingNo, findShipment, markWaybillCancelled } from "../store/shipment.repo";
import type { LogisticsDeps } from "./logistics-deps";

/** The waybill a cancel names: by number (its carrier given, or told by the number's shape) or by package. */
async function namedShipment(deps: LogisticsDeps, p: CancelWaybillParams): Promise<Shipment> {
  if (p.waybillNo === undefined) {
    if (p.packageId === undefined) {
      throw validationFailed("waybillNo", "Name the waybill (waybillNo) or its package (packageId)");
    }
    const shipment = await findShipment(deps.pool, p.packageId);
    if (!shipment) throw new OmsError("NOT_FOUND", "The package has no waybill", { packageId: p.packageId });
    return shipment;
  }
  const waybillNo = normalizeTrackingNo(p.waybillNo);
  const carriers =
    p.carrier !== undefined
      ? [carrierOf(p.carrier)]
      : CARRIERS.filter((c) => CARRIER_FORMATS[c].isTrackingNo(waybillNo));
  for (const carrier of carriers) {
    const shipment = await findByTrackingNo(deps.pool, carrier, waybillNo);
    if (!shipment) continue;
    if (p.packageId !== undefined && shipment.packageId !== p.packageId) {
      throw new OmsError("CONFLICT", "The waybill is not the package's", {
        reason: "WAYBILL_NOT_OF_PACKAGE",
        waybillNo,
        packageId: p.packageId,
      });
    }
    return shipment;
  }
  throw new OmsError("NOT_FOUND", "No package has this waybill", { waybillNo: p.waybillNo });
}

/**
 * Cancels the shipment's online waybill at its carrier, then records it on the shipment; a waybill
 * cancelled before is left alone (the carrier is not asked again). The carrier is asked outside any
 * transaction; its cancel is idempotent, so a retry after a crash between the two steps is safe. True
 * when the carrier was asked. 409 CONFLICT when it cannot be cancelled (see `needsCarrierCancel`).
 */
export async function cancelAtCarrier(
  deps: LogisticsDeps,
  shipment: Shipment,
  reason: string,
  now: Date,
): Promise<boolean> {
  if (!needsCarrierCancel(shipment)) return false;
  await deps.carriers.get(shipment.carrier).cancelWaybill(shipment.trackingNo);
  await markWaybillCancelled(deps.pool, shipment, reason, now);
  return true;
}

/**
 * `logistics.cancelWaybill`: cancels a package's online waybill at the carrier (named by number or by
 * package) and answers the shipment with `cancelledAt`. Idempotent: a cancelled waybill is answered as
 * it stands.
 */
export async function cancelWaybill(
  deps: LogisticsDeps,
  p: CancelWaybillParams,
  now = new Date(),
): Promise<ShipmentRecord> {
  const shipment = await namedShipment(deps, p);
  await cancelAtCarrier(deps, shipment, p.reason, now);
  const [record] = (await trackShipments(deps.pool, [shipment.packageId])).items;
  if (!record) throw new Error(`shipment of package ${shipment.packageId} vanished`);
  return record;
}
