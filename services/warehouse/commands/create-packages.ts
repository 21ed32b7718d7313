import type { OrderAddressChangedPayload, OrderPaidPayload } from "../../../shared/contracts/order.contract";
import {
  type PackagesCreatedPayload,
  WAREHOUSE_CHANNELS,
} from "../../../shared/contracts/warehouse.contract";
import { consumeOnce } from "../../../shared/outbox/inbox";
import { type EventEnvelope, recordEvent } from "../../../shared/outbox/outbox";
import { planFulfilment } from "../domain/plan-fulfilment";
import { keepNewestAddress } from "../store/address.repo";
import { findFulfilment, insertFulfilment } from "../store/package.repo";
import type { WarehouseDeps } from "./warehouse-deps";

export const FULFILMENT_GROUP = "warehouse-fulfilment";
export const ADDRESS_GROUP = "warehouse-address";

/**
 * `order.paid`: splits the order into PENDING packages and records `package.created`, all in one
 * transaction, once per event and once per order (the order number is the fulfilment's key and the
 * package ids derive from it).
 */
export async function onOrderPaid(deps: WarehouseDeps, envelope: EventEnvelope<OrderPaidPayload>) {
  const paid = envelope.payload;
  if (await findFulfilment(deps.pool, paid.orderNo)) return;
  const skus = await deps.calls.getSkus([...new Set(paid.lines.map((l) => l.skuId))]);
  const now = deps.now();
  const plan = planFulfilment(paid, skus, deps.rules, now);
  const { result } = await consumeOnce(deps.pool, FULFILMENT_GROUP, envelope.eventId, async (tx) => {
    if (!(await insertFulfilment(tx, plan))) return false;
    await keepNewestAddress(tx, paid.orderNo, paid.address, new Date(envelope.occurredAt), envelope.eventId);
    await recordEvent<PackagesCreatedPayload>(
      tx,
      WAREHOUSE_CHANNELS.packagesCreated,
      {
        orderNo: paid.orderNo,
        packageIds: plan.packages.map((p) => p.packageId),
      },
      now,
    );
    return true;
  });
  if (result) deps.committed();
}

/** `order.address-changed`: keeps the receiver if it is the newest the warehouse has seen for the order. */
export async function onAddressChanged(
  deps: WarehouseDeps,
  envelope: EventEnvelope<OrderAddressChangedPayload>,
) {
  const changed = envelope.payload;
  await consumeOnce(deps.pool, ADDRESS_GROUP, envelope.eventId, (tx) =>
    keepNewestAddress(tx, changed.orderNo, changed.address, new Date(envelope.occurredAt), envelope.eventId),
  );
}
