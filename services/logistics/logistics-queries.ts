import type { Pool } from "pg";
import type { TrackingResult } from "../../shared/contracts/logistics.contract";
import { shipmentRecord } from "./domain/shipment";
import { shipmentsOf } from "./store/shipment.repo";
import { eventsOfWaybills, waybillKey } from "./store/tracking-event.repo";

/** `logistics.tracking {packageIds}`: the shipments of those packages in the order asked, missing ones left out. */
export async function trackShipments(pool: Pool, packageIds: readonly string[]): Promise<TrackingResult> {
  const ids = [...new Set(packageIds)];
  if (ids.length === 0) return { items: [] };
  const shipments = await shipmentsOf(pool, ids);
  const events = await eventsOfWaybills(pool, shipments);
  const byPackage = new Map(shipments.map((s) => [s.packageId, s]));
  const items = ids.flatMap((id) => {
    const s = byPackage.get(id);
    return s ? [shipmentRecord(s, events.get(waybillKey(s.carrier, s.trackingNo)) ?? [])] : [];
  });
  return { items };
}
