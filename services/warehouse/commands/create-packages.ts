import { Coalescer } from "../../../shared/batching/coalescer";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { OrderAddressChangedPayload, OrderPaidPayload } from "../../../shared/contracts/order.contract";
import {
  type PackagesCreatedPayload,
  WAREHOUSE_CHANNELS,
} from "../../../shared/contracts/warehouse.contract";
import { consumeOnce } from "../../../shared/outbox/inbox";
import { type EventEnvelope, newEvent } from "../../../shared/outbox/outbox";
import { planFulfilment } from "../domain/plan-fulfilment";
import { keepNewestAddress } from "../store/address.repo";
import { fulfilledOrders, insertFulfilments, type NewFulfilment } from "../store/fulfilment.repo";
import type { WarehouseDeps } from "./warehouse-deps";

export const FULFILMENT_GROUP = "warehouse-fulfilment";
export const ADDRESS_GROUP = "warehouse-address";

/** `order.paid` events written in one statement at most, and the channel's deliveries in flight. */
export const PAID_BATCH_MAX = 64;

/** SKU ids per `inventory.getSkus` call at most (the action's limit). */
const SKUS_PER_CALL = 500;

type Paid = EventEnvelope<OrderPaidPayload>;

/** What became of one `order.paid` event: done (now or before), or failed with the error to retry it on. */
export type PaidOutcome = { ok: true } | { ok: false; error: unknown };

/** An event with what it writes, or why it could not be planned. */
type Planning = { event: Paid; write: NewFulfilment } | { event: Paid; error: unknown };

/** The SKUs of every line of the events, in as few calls as the action allows. */
async function skusOf(deps: WarehouseDeps, events: readonly Paid[]): Promise<SkuInfo[]> {
  const ids = [...new Set(events.flatMap((e) => e.payload.lines.map((l) => l.skuId)))];
  const calls = [];
  for (let i = 0; i < ids.length; i += SKUS_PER_CALL)
    calls.push(deps.calls.getSkus(ids.slice(i, i + SKUS_PER_CALL)));
  return (await Promise.all(calls)).flat();
}

/** Each event's fulfilment plan and `package.created`, or why it could not be planned (a SKU unknown, say). */
async function planEach(deps: WarehouseDeps, events: readonly Paid[], now: Date): Promise<Planning[]> {
  let skus: SkuInfo[];
  try {
    skus = await skusOf(deps, events);
  } catch (error) {
    return events.map((event) => ({ event, error }));
  }
  return events.map((event): Planning => {
    try {
      const plan = planFulfilment(event.payload, skus, deps.rules, now);
      const created = newEvent<PackagesCreatedPayload>(
        WAREHOUSE_CHANNELS.packagesCreated,
        { orderNo: event.payload.orderNo, packageIds: plan.packages.map((p) => p.packageId) },
        now,
      );
      const addressChangedAt = new Date(event.occurredAt);
      return { event, write: { eventId: event.eventId, addressChangedAt, plan, created } };
    } catch (error) {
      return { event, error };
    }
  });
}

/**
 * `order.paid` for a batch of events: splits each order into PENDING packages and records
 * `package.created`, once per event and once per order (the order number is the fulfilment's key and
 * the package ids derive from it), in one statement for the whole batch. An event that cannot be
 * planned fails alone, unless its order was fulfilled before (then it is done, as a redelivery is).
 * The outbox relay is woken after a batch that recorded events. Answers one outcome per event.
 */
export async function createPackages(deps: WarehouseDeps, events: readonly Paid[]): Promise<PaidOutcome[]> {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  const plans = await planEach(deps, unique, deps.now());
  const writes = plans.flatMap((p) => ("write" in p ? [p.write] : []));
  if ((await insertFulfilments(deps.pool, FULFILMENT_GROUP, writes)).size > 0) deps.committed();
  const unplanned = plans.flatMap((p) => ("error" in p ? [p] : []));
  const fulfilled =
    unplanned.length > 0
      ? await fulfilledOrders(
          deps.pool,
          unplanned.map((p) => p.event.payload.orderNo),
        )
      : new Set<string>();
  const outcomes = new Map<string, PaidOutcome>();
  for (const { event, error } of unplanned)
    if (!fulfilled.has(event.payload.orderNo)) outcomes.set(event.eventId, { ok: false, error });
  return events.map((e) => outcomes.get(e.eventId) ?? { ok: true });
}

/**
 * Per service instance: the `order.paid` consumer. Deliveries that arrive while a batch is written go
 * together in the next (`createPackages`; a lone one at once); a batch whose statement failed is
 * retried event by event (safe: the statement rolled back whole), so one bad event fails only its own.
 */
export function paidOrderConsumer(deps: WarehouseDeps): (envelope: Paid) => Promise<void> {
  const batches = new Coalescer<Paid, PaidOutcome>((events) => createPackages(deps, events), {
    maxBatch: PAID_BATCH_MAX,
  });
  return async (envelope) => {
    const outcome = await batches.submit(envelope);
    if (!outcome.ok) throw outcome.error;
  };
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
