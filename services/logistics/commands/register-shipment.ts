import type { RegisterShipmentParams, ShipmentRecord } from "../../../shared/contracts/logistics.contract";
import { OmsError } from "../../../shared/errors";
import { CARRIER_FORMATS, carrierOf } from "../carriers/carrier-registry";
import { normalizeTrackingNo } from "../domain/shipment";
import { trackShipments } from "../logistics-queries";
import { bindWaybill } from "./bind-waybill";
import type { LogisticsDeps } from "./logistics-deps";

/**
 * `logistics.registerShipment`: binds a tracking number to a package at hand-over. A number typed
 * by the merchant (MANUAL) must have the carrier's shape. The same carrier and number again answer
 * the shipment as it stands; a different one replaces it until the first tracking event arrives.
 */
export async function registerShipment(
  deps: LogisticsDeps,
  p: RegisterShipmentParams,
): Promise<ShipmentRecord> {
  const carrier = carrierOf(p.carrier);
  const trackingNo = normalizeTrackingNo(p.trackingNo);
  const format = CARRIER_FORMATS[carrier];
  if (p.method === "MANUAL" && !format.isTrackingNo(trackingNo)) {
    throw new OmsError(
      "TRACKING_NO_INVALID",
      `Not a ${carrier} tracking number (${format.trackingNoShape})`,
      {
        field: "trackingNo",
        carrier,
        expected: format.trackingNoShape,
      },
    );
  }
  await bindWaybill(
    deps.pool,
    { packageId: p.packageId, orderNo: p.orderNo, carrier, trackingNo, method: p.method },
    (existing) => existing.carrier === carrier && existing.trackingNo === trackingNo,
  );
  const [record] = (await trackShipments(deps.pool, [p.packageId])).items;
  if (!record) throw new Error(`shipment of package ${p.packageId} vanished`);
  return record;
}
