import type { WaybillConflictReason } from "../../../shared/contracts/logistics.contract";
import { OmsError } from "../../../shared/errors";
import type { Shipment } from "./shipment";
import { STATUS_RANK } from "./tracking-status";

type Waybill = Pick<Shipment, "packageId" | "carrier" | "trackingNo">;

/** 409 CONFLICT about a package's waybill, with the reason callers branch on. */
export function waybillConflict(
  reason: WaybillConflictReason,
  message: string,
  w: Waybill,
  more: Record<string, unknown> = {},
): OmsError {
  return new OmsError("CONFLICT", message, {
    reason,
    packageId: w.packageId,
    carrier: w.carrier,
    trackingNo: w.trackingNo,
    ...more,
  });
}

/** A cancelled waybill takes no tracking event, hand-over or replacement: 409 CONFLICT WAYBILL_CANCELLED. */
export function assertWaybillLive(s: Waybill & Pick<Shipment, "cancelledAt">): void {
  if (s.cancelledAt !== null) {
    throw waybillConflict("WAYBILL_CANCELLED", "The package's waybill was cancelled at the carrier", s, {
      cancelledAt: s.cancelledAt,
    });
  }
}

/**
 * Whether cancelling the shipment's waybill still needs its carrier: not once it is cancelled (a retry is
 * answered from the record). Only a waybill the carrier issued for us (ONLINE_WAYBILL) is cancelled, and only
 * before the carrier has the package: 409 CONFLICT NOT_ONLINE_WAYBILL / WAYBILL_PICKED_UP otherwise.
 */
export function needsCarrierCancel(s: Shipment): boolean {
  if (s.cancelledAt !== null) return false;
  if (s.method !== "ONLINE_WAYBILL") {
    throw waybillConflict(
      "NOT_ONLINE_WAYBILL",
      "Only online waybills are cancelled at the carrier; this number was typed in",
      s,
    );
  }
  if (STATUS_RANK[s.status] > STATUS_RANK.CREATED) {
    throw waybillConflict("WAYBILL_PICKED_UP", "The carrier already has the package", s, {
      status: s.status,
    });
  }
  return true;
}

/** A refusal no retry can change (409: the carrier has the package, or nothing of ours to cancel). */
export const isFinalRefusal = (err: unknown): boolean =>
  (err as { type?: string } | null)?.type === "CONFLICT";
