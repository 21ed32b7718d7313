import type { Carrier, LogisticsStatus, ShipmentRecord } from "../../../shared/contracts/logistics.contract";

/** A package's waybill and where its tracking stands. */
export interface Shipment {
  packageId: string;
  orderNo: string;
  carrier: Carrier;
  trackingNo: string;
  method: "ONLINE_WAYBILL" | "MANUAL";
  status: LogisticsStatus;
  /** The carrier's time of the event that set the status; null before the first event. */
  statusAt: string | null;
  /** When the waybill was cancelled at the carrier; null while it is live. */
  cancelledAt: string | null;
}

/** A stored tracking event as shown with its shipment. */
export interface TrackingEventView {
  status: LogisticsStatus;
  at: string;
  description?: string;
}

/** The contract's view of a shipment: its events in the order they happened. */
export function shipmentRecord(s: Shipment, events: readonly TrackingEventView[]): ShipmentRecord {
  return {
    packageId: s.packageId,
    orderNo: s.orderNo,
    carrier: s.carrier,
    trackingNo: s.trackingNo,
    status: s.status,
    events: [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    ...(s.cancelledAt !== null ? { cancelledAt: s.cancelledAt } : {}),
  };
}

/** A tracking number as typed: spaces dropped, letters upper-cased (carriers print "SF 1234 5678 9012"). */
export function normalizeTrackingNo(trackingNo: string): string {
  return trackingNo.replace(/[\s-]+/g, "").toUpperCase();
}
