import type { Carrier } from "../../../shared/contracts/logistics.contract";
import type { Queryable } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { type EventEnvelope, outboxInsertSql } from "../../../shared/outbox/outbox";
import type { Shipment } from "../domain/shipment";
import { STATUS_RANK, type TrackingPosition } from "../domain/tracking-status";

const COLUMNS = "package_id, order_no, carrier, tracking_no, method, status, status_at, cancelled_at";

// biome-ignore lint/suspicious/noExplicitAny: a pg row
export function toShipment(r: any): Shipment {
  return {
    packageId: r.package_id,
    orderNo: r.order_no,
    carrier: r.carrier,
    trackingNo: r.tracking_no,
    method: r.method,
    status: r.status,
    statusAt: r.status_at ? (r.status_at as Date).toISOString() : null,
    cancelledAt: r.cancelled_at ? (r.cancelled_at as Date).toISOString() : null,
  };
}

/** A waybill to bind to a package. */
export interface WaybillBinding {
  packageId: string;
  orderNo: string;
  carrier: Carrier;
  trackingNo: string;
  method: Shipment["method"];
}

export async function findShipment(q: Queryable, packageId: string, lock = false): Promise<Shipment | null> {
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM shipments WHERE package_id = $1${lock ? " FOR UPDATE" : ""}`,
    [packageId],
  );
  return rows[0] ? toShipment(rows[0]) : null;
}

export async function findByTrackingNo(
  q: Queryable,
  carrier: Carrier,
  trackingNo: string,
  lock = false,
): Promise<Shipment | null> {
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM shipments WHERE carrier = $1 AND tracking_no = $2${lock ? " FOR UPDATE" : ""}`,
    [carrier, trackingNo],
  );
  return rows[0] ? toShipment(rows[0]) : null;
}

export async function shipmentsOf(q: Queryable, packageIds: readonly string[]): Promise<Shipment[]> {
  const { rows } = await q.query(`SELECT ${COLUMNS} FROM shipments WHERE package_id = ANY($1::text[])`, [
    packageIds,
  ]);
  return rows.map(toShipment);
}

const inUse = (w: WaybillBinding) =>
  new OmsError("TRACKING_NO_IN_USE", "This tracking number belongs to another package", {
    field: "trackingNo",
    carrier: w.carrier,
    trackingNo: w.trackingNo,
  });

/** Turns the unique (carrier, tracking_no) violation of a concurrent binding into TRACKING_NO_IN_USE. */
async function guarded<T>(w: WaybillBinding, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if ((err as { code?: string }).code === "23505") throw inUse(w);
    throw err;
  }
}

/** 409 TRACKING_NO_IN_USE when another package holds the number. */
export async function assertTrackingNoFree(q: Queryable, w: WaybillBinding): Promise<void> {
  const holder = await findByTrackingNo(q, w.carrier, w.trackingNo);
  if (holder && holder.packageId !== w.packageId) throw inUse(w);
}

/** A new shipment, CREATED; false when the package got one meanwhile (then decide again under its lock). */
export async function insertShipment(q: Queryable, w: WaybillBinding): Promise<boolean> {
  const { rowCount } = await guarded(w, () =>
    q.query(
      `INSERT INTO shipments (package_id, order_no, carrier, tracking_no, method, status, rank)
       VALUES ($1, $2, $3, $4, $5, 'CREATED', 0) ON CONFLICT (package_id) DO NOTHING`,
      [w.packageId, w.orderNo, w.carrier, w.trackingNo, w.method],
    ),
  );
  return rowCount === 1;
}

/** Puts another waybill on a package that has no tracking event yet: back to CREATED. */
export async function replaceWaybill(q: Queryable, w: WaybillBinding): Promise<void> {
  await guarded(w, () =>
    q.query(
      `UPDATE shipments SET order_no = $2, carrier = $3, tracking_no = $4, method = $5, status = 'CREATED',
         rank = 0, status_at = NULL, updated_at = now()
       WHERE package_id = $1`,
      [w.packageId, w.orderNo, w.carrier, w.trackingNo, w.method],
    ),
  );
}

/** The shipment's new position and, when its status moved, the event announcing it: one statement. */
export async function saveTrackingPosition(
  q: Queryable,
  packageId: string,
  next: TrackingPosition,
  events: readonly EventEnvelope[],
): Promise<void> {
  await q.query(
    `WITH moved AS (
       UPDATE shipments SET status = $2, rank = $3, status_at = $4, updated_at = now() WHERE package_id = $1
     )
     ${outboxInsertSql("$5")}`,
    [packageId, next.status, STATUS_RANK[next.status], next.at, JSON.stringify(events)],
  );
}

/**
 * Records that the carrier cancelled the package's waybill, with the reason; false when it was recorded
 * before or the package holds another waybill by now (the first cancellation and its reason stay).
 */
export async function markWaybillCancelled(
  q: Queryable,
  waybill: Pick<Shipment, "packageId" | "carrier" | "trackingNo">,
  reason: string,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE shipments SET cancelled_at = $4, cancel_reason = $5, updated_at = now()
     WHERE package_id = $1 AND carrier = $2 AND tracking_no = $3 AND cancelled_at IS NULL`,
    [waybill.packageId, waybill.carrier, waybill.trackingNo, at, reason],
  );
  return rowCount === 1;
}

/**
 * Serialises what logistics does about one package within a transaction (binding a waybill, recording
 * its interception): whichever commits second sees the other. In package order, so two never deadlock.
 */
export async function lockPackages(q: Queryable, packageIds: readonly string[]): Promise<void> {
  await q.query(
    "SELECT pg_advisory_xact_lock(hashtext('package:' || id)) FROM unnest($1::text[]) AS id ORDER BY id",
    [[...packageIds].sort()],
  );
}

/** Records the packages of an interception (once each), under their locks: answers their shipments. */
export async function recordInterception(
  q: Queryable,
  interceptId: string,
  packageIds: readonly string[],
): Promise<Shipment[]> {
  await lockPackages(q, packageIds);
  await q.query(
    `INSERT INTO intercepted_packages (package_id, intercept_id)
     SELECT id, $2 FROM unnest($1::text[]) AS id ON CONFLICT DO NOTHING`,
    [packageIds, interceptId],
  );
  return shipmentsOf(q, packageIds);
}

/** Whether the warehouse intercepted the package. */
export async function isIntercepted(q: Queryable, packageId: string): Promise<boolean> {
  const { rowCount } = await q.query("SELECT 1 FROM intercepted_packages WHERE package_id = $1", [packageId]);
  return rowCount === 1;
}
