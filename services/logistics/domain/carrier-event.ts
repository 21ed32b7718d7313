import type { LogisticsStatus } from "../../../shared/contracts/logistics.contract";

/** What a carrier's tracking webhook says, whatever its wire format. */
export interface CarrierEvent {
  /** The carrier's id of this event; a repeated delivery of the same event carries the same id. */
  eventId: string;
  trackingNo: string;
  status: LogisticsStatus;
  /** ISO-8601 instant the carrier says it happened. */
  at: string;
  description?: string;
}

/** The text a carrier shows for a status when it sends none of its own. */
export const DEFAULT_DESCRIPTIONS: Readonly<Record<LogisticsStatus, string>> = {
  CREATED: "Waybill created, waiting for pick-up",
  PICKED_UP: "Picked up by the courier",
  IN_TRANSIT: "In transit",
  OUT_FOR_DELIVERY: "Out for delivery",
  SIGNED: "Signed for",
  EXCEPTION: "Delivery exception",
  RETURNED: "Returned to the sender",
};
