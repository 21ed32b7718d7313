import type { Carrier } from "../../../shared/contracts/logistics.contract";
import type { Queryable } from "../../../shared/db/pool";
import type { CarrierEvent } from "../domain/carrier-event";
import type { TrackingEventView } from "../domain/shipment";

/**
 * Stores a carrier's tracking event in the inbox, keyed by (carrier, event id), with what it did.
 * False when that event was stored before: a repeated delivery, to be ignored. A concurrent copy
 * waits on the shipment's lock, then finds it.
 */
export async function storeTrackingEvent(
  q: Queryable,
  carrier: Carrier,
  event: CarrierEvent,
  rawBody: string,
  outcome: string,
): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO tracking_events (carrier, event_id, tracking_no, status, at, description, raw_body, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [
      carrier,
      event.eventId,
      event.trackingNo,
      event.status,
      event.at,
      event.description ?? null,
      rawBody,
      outcome,
    ],
  );
  return rowCount === 1;
}

/** Whether this carrier event was stored before (a repeated delivery). */
export async function trackingEventStored(q: Queryable, carrier: Carrier, eventId: string): Promise<boolean> {
  const { rows } = await q.query(
    "SELECT EXISTS (SELECT 1 FROM tracking_events WHERE carrier = $1 AND event_id = $2) AS found",
    [carrier, eventId],
  );
  return rows[0].found === true;
}

/** Whether any tracking event arrived for a waybill (then its package keeps it). */
export async function hasTrackingEvents(
  q: Queryable,
  carrier: Carrier,
  trackingNo: string,
): Promise<boolean> {
  const { rows } = await q.query(
    "SELECT EXISTS (SELECT 1 FROM tracking_events WHERE carrier = $1 AND tracking_no = $2) AS found",
    [carrier, trackingNo],
  );
  return rows[0].found === true;
}

/** The events of these waybills by `<carrier>:<trackingNo>`, each list in the order they happened. */
export async function eventsOfWaybills(
  q: Queryable,
  waybills: readonly { carrier: Carrier; trackingNo: string }[],
): Promise<Map<string, TrackingEventView[]>> {
  const byWaybill = new Map<string, TrackingEventView[]>();
  if (waybills.length === 0) return byWaybill;
  const { rows } = await q.query(
    `SELECT e.carrier, e.tracking_no, e.status, e.at, e.description
     FROM tracking_events e
     JOIN unnest($1::text[], $2::text[]) AS w(carrier, tracking_no)
       ON e.carrier = w.carrier AND e.tracking_no = w.tracking_no
     ORDER BY e.at, e.received_at`,
    [waybills.map((w) => w.carrier), waybills.map((w) => w.trackingNo)],
  );
  for (const r of rows) {
    const key = waybillKey(r.carrier, r.tracking_no);
    const view: TrackingEventView = { status: r.status, at: (r.at as Date).toISOString() };
    if (r.description) view.description = r.description;
    const list = byWaybill.get(key);
    if (list) list.push(view);
    else byWaybill.set(key, [view]);
  }
  return byWaybill;
}

export const waybillKey = (carrier: string, trackingNo: string) => `${carrier}:${trackingNo}`;
