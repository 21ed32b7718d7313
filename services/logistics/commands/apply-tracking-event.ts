import {
  type Carrier,
  LOGISTICS_CHANNELS,
  type LogisticsStatus,
  type LogisticsStatusChangedPayload,
} from "../../../shared/contracts/logistics.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { newEvent } from "../../../shared/outbox/outbox";
import type { CarrierEvent } from "../domain/carrier-event";
import type { Shipment } from "../domain/shipment";
import { advance } from "../domain/tracking-status";
import { assertWaybillLive } from "../domain/waybill-cancel";
import { findByTrackingNo, saveTrackingPosition } from "../store/shipment.repo";
import { storeTrackingEvent, trackingEventStored } from "../store/tracking-event.repo";
import type { LogisticsDeps } from "./logistics-deps";

/** What the carrier is answered for one webhook. */
export interface WebhookAnswer {
  ok: true;
  /** The event was stored before (a repeated delivery): nothing happened. */
  duplicate: boolean;
  /** The shipment's status after the event. */
  status: LogisticsStatus;
}

function statusChanged(s: Shipment, event: CarrierEvent, now: Date) {
  const payload: LogisticsStatusChangedPayload = {
    packageId: s.packageId,
    orderNo: s.orderNo,
    carrier: s.carrier,
    trackingNo: s.trackingNo,
    status: event.status,
    at: event.at,
  };
  return newEvent(LOGISTICS_CHANNELS.statusChanged, payload, now);
}

/**
 * Applies a carrier's tracking event once. Under the shipment's lock (404 NOT_FOUND for a number
 * no package has, nothing stored): store the event in the inbox - a repeat stops there - then,
 * when the forward-only rule moves the shipment, its new status and `logistics.status-changed`
 * in the same transaction. Older or lower events are kept for display and change nothing. A
 * cancelled waybill takes no new event (409 CONFLICT WAYBILL_CANCELLED, nothing stored); a repeat of
 * one stored before it was cancelled is still answered as a duplicate.
 */
export async function applyTrackingEvent(
  deps: LogisticsDeps,
  carrier: Carrier,
  event: CarrierEvent,
  rawBody: string,
): Promise<WebhookAnswer> {
  const now = new Date();
  const done = await withTransaction(deps.pool, async (tx) => {
    const shipment = await findByTrackingNo(tx, carrier, event.trackingNo, true);
    if (!shipment) {
      throw new OmsError("NOT_FOUND", "No package has this tracking number", {
        carrier,
        trackingNo: event.trackingNo,
      });
    }
    if (shipment.cancelledAt !== null) {
      if (await trackingEventStored(tx, carrier, event.eventId)) {
        return { duplicate: true, status: shipment.status, moved: false };
      }
      assertWaybillLive(shipment);
    }
    const step = advance({ status: shipment.status, at: shipment.statusAt }, event);
    const outcome = step.moved
      ? `${shipment.status} -> ${step.next.status}`
      : `${shipment.status}, unchanged`;
    if (!(await storeTrackingEvent(tx, carrier, event, rawBody, outcome))) {
      return { duplicate: true, status: shipment.status, moved: false };
    }
    if (step.changed) {
      const events = step.moved ? [statusChanged(shipment, event, now)] : [];
      await saveTrackingPosition(tx, shipment.packageId, step.next, events);
    }
    return { duplicate: false, status: step.next.status, moved: step.moved };
  });
  if (done.moved) deps.committed();
  return { ok: true, duplicate: done.duplicate, status: done.status };
}
