import type { Carrier, ShippingMethod } from "../../../shared/contracts/logistics.contract";
import { OmsError, validationFailed } from "../../../shared/errors";
import { hasWaybill, type Package } from "./package";

/** `warehouse.ship` as the merchant asked it. */
export interface ShipRequest {
  packageId: string;
  method: ShippingMethod;
  carrier?: string;
  trackingNo?: string;
}

/** How the hand-over gets its carrier and number. */
export type ShippingPlan =
  /** ONLINE_WAYBILL with the waybill printed earlier. */
  | { kind: "PRINTED"; carrier: Carrier; trackingNo: string }
  /** ONLINE_WAYBILL without one yet: ask the carrier now. */
  | { kind: "NEW_WAYBILL"; carrier: string }
  /** A number the merchant typed; logistics checks its format. */
  | { kind: "MANUAL"; carrier: string; trackingNo: string }
  | { kind: "NO_LOGISTICS" };

const given = (value: string | undefined) =>
  value === undefined || value.trim() === "" ? null : value.trim();

const carrierRequired = (method: ShippingMethod) =>
  new OmsError("CARRIER_REQUIRED", `${method} needs a carrier`, { field: "carrier" });

/**
 * Checks the request against the method and the package: ONLINE_WAYBILL uses the printed waybill or
 * needs a carrier; MANUAL needs a carrier and a tracking number; NO_LOGISTICS takes neither. The
 * number's format is the carrier's business (logistics.registerShipment).
 */
export function planShipping(
  pkg: Pick<Package, "method" | "carrier" | "trackingNo">,
  req: ShipRequest,
): ShippingPlan {
  const carrier = given(req.carrier);
  const trackingNo = given(req.trackingNo);
  if (req.method === "NO_LOGISTICS") {
    if (carrier) throw validationFailed("carrier", "NO_LOGISTICS takes no carrier");
    if (trackingNo) throw validationFailed("trackingNo", "NO_LOGISTICS takes no tracking number");
    return { kind: "NO_LOGISTICS" };
  }
  if (req.method === "MANUAL") {
    if (!carrier) throw carrierRequired(req.method);
    if (!trackingNo) throw validationFailed("trackingNo", "MANUAL needs the tracking number");
    return { kind: "MANUAL", carrier, trackingNo };
  }
  if (hasWaybill(pkg)) {
    if (carrier && carrier !== pkg.carrier)
      throw validationFailed("carrier", `The printed waybill is from ${pkg.carrier}`, {
        carrier: pkg.carrier,
      });
    if (trackingNo && trackingNo !== pkg.trackingNo)
      throw validationFailed("trackingNo", "An online waybill's number comes from the printed waybill");
    return { kind: "PRINTED", carrier: pkg.carrier as Carrier, trackingNo: pkg.trackingNo as string };
  }
  if (!carrier) throw carrierRequired(req.method);
  if (trackingNo) throw validationFailed("trackingNo", "An online waybill's number comes from the carrier");
  return { kind: "NEW_WAYBILL", carrier };
}
