import type { Pool } from "pg";
import { type Queryable, withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import type { Shipment } from "../domain/shipment";
import { assertWaybillLive } from "../domain/waybill-cancel";
import {
  assertTrackingNoFree,
  findShipment,
  insertShipment,
  isIntercepted,
  lockPackages,
  replaceWaybill,
  type WaybillBinding,
} from "../store/shipment.repo";
import { hasTrackingEvents } from "../store/tracking-event.repo";

const created = (w: WaybillBinding): Shipment => ({
  ...w,
  status: "CREATED",
  statusAt: null,
  cancelledAt: null,
});

/** 409 CONFLICT once a tracking event arrived for the package's waybill: it can no longer change. */
export async function assertReplaceable(q: Queryable, existing: Shipment): Promise<void> {
  if (await hasTrackingEvents(q, existing.carrier, existing.trackingNo)) {
    throw new OmsError("CONFLICT", "The package's waybill already has tracking events; it cannot change", {
      packageId: existing.packageId,
      carrier: existing.carrier,
      trackingNo: existing.trackingNo,
    });
  }
}

/**
 * Binds a waybill to a package under the package's lock. A shipment the package already has is
 * answered as it is when `keeps` says so (a retry); otherwise the new waybill replaces it while no
 * tracking event arrived for it (409 CONFLICT after). 409 TRACKING_NO_IN_USE when another package
 * holds the number, also when two packages race for it (the unique key decides). A package whose
 * waybill was cancelled at the carrier takes none: 409 CONFLICT WAYBILL_CANCELLED. Also answers
 * whether the package was intercepted, read after the binding committed under the package's lock:
 * an interception recorded before it is seen here, one recorded after it sees the waybill.
 */
export async function bindWaybill(
  pool: Pool,
  w: WaybillBinding,
  keeps: (existing: Shipment) => boolean,
): Promise<{ shipment: Shipment; intercepted: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const bound = await withTransaction(pool, async (tx) => {
      await lockPackages(tx, [w.packageId]);
      const existing = await findShipment(tx, w.packageId, true);
      if (existing) assertWaybillLive(existing);
      if (existing && keeps(existing)) return existing;
      await assertTrackingNoFree(tx, w);
      if (!existing) return (await insertShipment(tx, w)) ? created(w) : null;
      await assertReplaceable(tx, existing);
      await replaceWaybill(tx, w);
      return created(w);
    });
    // Null: the package got a shipment between our read and insert; decide again under its lock.
    if (bound) return { shipment: bound, intercepted: await isIntercepted(pool, w.packageId) };
    if (attempt >= 3) throw new Error(`could not bind a waybill to package ${w.packageId}`);
  }
}
