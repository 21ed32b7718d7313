import type {
  PackageInterceptedPayload,
  PackageShippedPayload,
} from "../../../shared/contracts/warehouse.contract";
import { consumeOnce } from "../../../shared/outbox/inbox";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import { unitsBySku } from "../domain/package";
import { findIntercept } from "../store/intercept.repo";
import { findPackage } from "../store/package.repo";
import type { WarehouseDeps } from "./warehouse-deps";

export const STOCK_GROUP = "warehouse-stock";
export const UNRESERVE_GROUP = "warehouse-unreserve";

/**
 * Our own `package.shipped`: the package's units leave the warehouse (`inventory.ship`, idempotent per
 * package) from the reservation they were sold under: the order's, or for an exchange's replacement
 * package the exchange's (its after-sales number). A failure rolls the inbox row back, so the event is
 * redelivered until the stock moved.
 */
export async function onPackageShipped(deps: WarehouseDeps, envelope: EventEnvelope<PackageShippedPayload>) {
  const { packageId, orderNo } = envelope.payload;
  await consumeOnce(deps.pool, STOCK_GROUP, envelope.eventId, async (tx) => {
    const pkg = await findPackage(tx, packageId);
    if (!pkg) throw new Error(`package ${packageId} of a shipped event is missing`);
    await deps.calls.shipStock({
      reservationId: pkg.afterSalesNo ?? orderNo,
      shipmentId: packageId,
      lines: unitsBySku(pkg.lines),
    });
  });
}

/** Our own `package.intercepted`: the units go back to available stock (`inventory.unreserve`, idempotent). */
export async function onPackageIntercepted(
  deps: WarehouseDeps,
  envelope: EventEnvelope<PackageInterceptedPayload>,
) {
  const { orderNo, interceptId, lines } = envelope.payload;
  const units = unitsBySku(lines);
  await consumeOnce(deps.pool, UNRESERVE_GROUP, envelope.eventId, async (tx) => {
    if (units.length === 0) return;
    const reason = (await findIntercept(tx, interceptId))?.reason ?? "INTERCEPTED";
    await deps.calls.unreserveStock({ reservationId: orderNo, releaseId: interceptId, lines: units, reason });
  });
}
