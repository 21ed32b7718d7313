import type { PackageInterceptedPayload } from "../../../shared/contracts/warehouse.contract";
import { withTransaction } from "../../../shared/db/pool";
import { consumedBefore, consumeOnce } from "../../../shared/outbox/inbox";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import { isFinalRefusal } from "../domain/waybill-cancel";
import { recordInterception } from "../store/shipment.repo";
import { cancelAtCarrier } from "./cancel-waybill";
import type { LogisticsDeps } from "./logistics-deps";

export const WAYBILL_CANCEL_GROUP = "logistics-waybill-cancel";

/**
 * Redelivery of a failed cancel: a carrier's API can be down for minutes while the interception stands,
 * so this consumer retries longer than the default before the event is dead-lettered (about 4 minutes).
 */
export const WAYBILL_CANCEL_RETRIES = { maxRetries: 10, retryDelay: { baseMs: 1_000, capMs: 60_000 } };

/**
 * The warehouse's `package.intercepted`: each package it left without units (`packageIds`) whose
 * waybill here is an online one gets it cancelled at the carrier, so the carrier does not come to
 * collect it; a package that still holds units is not in `packageIds` and keeps its waybill. The
 * packages are recorded as intercepted first, so a waybill bound to one later is cancelled by its
 * binder (`createWaybill`) instead. The work
 * comes first and the inbox row after: the carrier is never called inside a transaction, and a
 * redelivery finds the waybills cancelled and asks no carrier again. A carrier failure throws, so the
 * event is redelivered with backoff; a refusal no retry can change (the carrier already has the
 * package) is logged and the rest goes on. The interception itself is never undone.
 */
export async function onPackageIntercepted(
  deps: LogisticsDeps,
  envelope: EventEnvelope<PackageInterceptedPayload>,
): Promise<void> {
  const { interceptId, packageIds } = envelope.payload;
  if (await consumedBefore(deps.pool, WAYBILL_CANCEL_GROUP, envelope.eventId)) return;
  // Recorded first (under the packages' locks): a waybill bound after this is cancelled by its binder.
  const shipments =
    packageIds.length > 0
      ? await withTransaction(deps.pool, (tx) => recordInterception(tx, interceptId, packageIds))
      : [];
  for (const shipment of shipments) {
    if (shipment.method !== "ONLINE_WAYBILL") continue;
    try {
      await cancelAtCarrier(deps, shipment, `package intercepted (${interceptId})`, new Date());
    } catch (err) {
      if (!isFinalRefusal(err)) throw err;
      deps.logger.warn("waybill of an intercepted package not cancelled", {
        packageId: shipment.packageId,
        trackingNo: shipment.trackingNo,
        details: (err as { data?: unknown }).data,
      });
    }
  }
  await consumeOnce(deps.pool, WAYBILL_CANCEL_GROUP, envelope.eventId, async () => undefined);
}
