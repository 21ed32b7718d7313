/**
 * The logistics service's RPC and durable-event contract (carriers, waybills, tracking).
 * REST shapes are in API.md ("Fulfilment and logistics"); these are the internal shapes.
 */

export const CARRIERS = ["SF", "ZTO", "YTO", "JD", "CAINIAO"] as const;
export type Carrier = (typeof CARRIERS)[number];

export const SHIPPING_METHODS = ["ONLINE_WAYBILL", "MANUAL", "NO_LOGISTICS"] as const;
export type ShippingMethod = (typeof SHIPPING_METHODS)[number];

export const LOGISTICS_STATUSES = [
  "CREATED",
  "PICKED_UP",
  "IN_TRANSIT",
  "OUT_FOR_DELIVERY",
  "SIGNED",
  "EXCEPTION",
  "RETURNED",
] as const;
export type LogisticsStatus = (typeof LOGISTICS_STATUSES)[number];

/** The receiver as a waybill needs it. */
export interface WaybillAddress {
  name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  postcode?: string;
}

/**
 * `logistics.createWaybill`: an online waybill from the carrier (ONLINE_WAYBILL). Idempotent per
 * packageId: a retry returns the same tracking number. Errors: CARRIER_UNKNOWN {field: "carrier"},
 * WAYBILL_UNAVAILABLE {carrier} (no sandbox and no real adapter for that carrier).
 */
export interface CreateWaybillParams {
  carrier: string;
  packageId: string;
  orderNo: string;
  address: WaybillAddress;
  weightGrams: number;
}
export interface WaybillResult {
  carrier: Carrier;
  trackingNo: string;
}

/**
 * `logistics.registerShipment`: binds a tracking number to a package when it is handed over.
 * MANUAL numbers are validated against the carrier's format. Idempotent per packageId (the same
 * carrier and number again answers the first result; a different one before any tracking event replaces it).
 * Errors: CARRIER_UNKNOWN {field: "carrier"}, TRACKING_NO_INVALID {field: "trackingNo", carrier},
 * TRACKING_NO_IN_USE {trackingNo} (bound to another package).
 */
export interface RegisterShipmentParams {
  carrier: string;
  trackingNo: string;
  packageId: string;
  orderNo: string;
  method: "ONLINE_WAYBILL" | "MANUAL";
}
export interface ShipmentRecord {
  packageId: string;
  orderNo: string;
  carrier: Carrier;
  trackingNo: string;
  status: LogisticsStatus;
  /** Tracking events in the order they happened (by their own time), duplicates dropped. */
  events: { status: LogisticsStatus; at: string; description?: string }[];
  /** Set once the waybill was cancelled at the carrier: it takes no more tracking events or hand-over. */
  cancelledAt?: string;
}

/** `logistics.tracking {packageIds}` -> the shipments registered for those packages (missing ones omitted). */
export interface TrackingParams {
  packageIds: string[];
}
export interface TrackingResult {
  items: ShipmentRecord[];
}

/**
 * Why a waybill request is refused with 409 CONFLICT (`details.reason`): the waybill was cancelled at the
 * carrier; the carrier already has the package (PICKED_UP or later), so it cannot be cancelled; the number was
 * typed by the merchant (MANUAL), not issued for us; the waybill named is not the package named.
 */
export const WAYBILL_CONFLICT_REASONS = [
  "WAYBILL_CANCELLED",
  "WAYBILL_PICKED_UP",
  "NOT_ONLINE_WAYBILL",
  "WAYBILL_NOT_OF_PACKAGE",
] as const;
export type WaybillConflictReason = (typeof WAYBILL_CONFLICT_REASONS)[number];

/**
 * `logistics.cancelWaybill`: cancels a package's online waybill at the carrier so it does not come to collect
 * the package (units intercepted before hand-over). Names the waybill by `waybillNo` (its carrier from `carrier`,
 * or from the number's shape) or by `packageId`; with both they must belong together. Idempotent: a cancelled
 * waybill is answered as it stands (the carrier is not asked again, the first reason is kept). Answers the
 * shipment with `cancelledAt`. Errors: VALIDATION_FAILED {field: "waybillNo"} (neither named), CARRIER_UNKNOWN,
 * NOT_FOUND {waybillNo | packageId}, CONFLICT {reason: WaybillConflictReason}, WAYBILL_UNAVAILABLE {carrier}.
 */
export interface CancelWaybillParams {
  waybillNo?: string;
  carrier?: string;
  packageId?: string;
  reason: string;
}

/** The logistics service's durable channels (outbox -> JetStream). */
export const LOGISTICS_CHANNELS = {
  /** A package's tracking status moved forward (never emitted for a duplicate or an older event). */
  statusChanged: "logistics.status-changed",
} as const;

export interface LogisticsStatusChangedPayload {
  packageId: string;
  orderNo: string;
  carrier: Carrier;
  trackingNo: string;
  status: LogisticsStatus;
  /** When the carrier says it happened. */
  at: string;
}
