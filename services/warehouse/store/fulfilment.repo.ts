import type { PackagesCreatedPayload } from "../../../shared/contracts/warehouse.contract";
import type { Queryable } from "../../../shared/db/pool";
import { type EventEnvelope, outboxInsertSql } from "../../../shared/outbox/outbox";
import type { FulfilmentPlan } from "../domain/plan-fulfilment";

/** What one `order.paid` event writes when it is the first to fulfil its order. */
export interface NewFulfilment {
  eventId: string;
  /** When the order service says the receiver was set (the event's `occurredAt`). */
  addressChangedAt: Date;
  plan: FulfilmentPlan;
  /** `package.created`, recorded in the outbox with the packages. */
  created: EventEnvelope<PackagesCreatedPayload>;
}

/**
 * One statement for a batch of events ($1 consumer, $2 the events as JSON): `paid` numbered by `ord`,
 * their inbox rows (in key order), `fresh` (per order, the first event whose inbox row is new), the
 * fulfilments of those orders that have none yet (`made`), then for `made` only: lines, packages,
 * package lines, the receiver (kept only if newer) and `package.created`. Answers the events that made
 * their order's fulfilment. Rows are locked in key order, so concurrent batches wait rather than deadlock.
 */
const INSERT_FULFILMENTS_SQL = `WITH paid AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS p(ord int, "eventId" text, "orderNo" text,
         "parentOrderNo" text, "shopId" text, "buyerId" text, "paymentNo" text, "paidAt" timestamptz,
         address jsonb, "addressChangedAt" timestamptz, lines jsonb, packages jsonb, "packageLines" jsonb,
         created jsonb)
     ), inbox_rows AS (
       INSERT INTO inbox (consumer, event_id)
       SELECT $1::text, "eventId" FROM paid ORDER BY "eventId"
       ON CONFLICT DO NOTHING RETURNING event_id
     ), fresh AS (
       SELECT DISTINCT ON (p."orderNo") p.* FROM paid p JOIN inbox_rows r ON r.event_id = p."eventId"
       ORDER BY p."orderNo", p.ord
     ), f AS (
       INSERT INTO fulfilments (order_no, parent_order_no, shop_id, buyer_id, payment_no, paid_at, address)
       SELECT "orderNo", "parentOrderNo", "shopId", "buyerId", "paymentNo", "paidAt", address
       FROM fresh ORDER BY "orderNo"
       ON CONFLICT DO NOTHING RETURNING order_no
     ), made AS (
       SELECT fresh.* FROM fresh JOIN f ON f.order_no = fresh."orderNo"
     ), fl AS (
       INSERT INTO fulfilment_lines (order_no, line_id, ordinal, sku_id, warehouse_id, quantity, storage_class,
         unit_weight_grams, unit_volume_cm3, unit_declared_value_minor)
       SELECT m."orderNo", x."lineId", x.ordinal, x."skuId", x."warehouseId", x.quantity, x."storageClass",
         x."unitWeightGrams", x."unitVolumeCm3", x."unitDeclaredValueMinor"
       FROM made m, jsonb_to_recordset(m.lines) AS x("lineId" text, ordinal int, "skuId" text,
         "warehouseId" text, quantity int, "storageClass" text, "unitWeightGrams" int, "unitVolumeCm3" int,
         "unitDeclaredValueMinor" bigint)
     ), pk AS (
       INSERT INTO packages (package_id, order_no, position, warehouse_id, status, split_reason,
         created_at, updated_at)
       SELECT x."packageId", m."orderNo", x.position, x."warehouseId", x.status, x."splitReason",
         x."createdAt", x."createdAt"
       FROM made m, jsonb_to_recordset(m.packages) AS x("packageId" text, position int, "warehouseId" text,
         status text, "splitReason" text, "createdAt" timestamptz)
     ), pl AS (
       INSERT INTO package_lines (package_id, line_id, ordinal, sku_id, quantity, planned_quantity)
       SELECT x."packageId", x."lineId", x.ordinal, x."skuId", x.quantity, x."plannedQuantity"
       FROM made m, jsonb_to_recordset(m."packageLines") AS x("packageId" text, "lineId" text, ordinal int,
         "skuId" text, quantity int, "plannedQuantity" int)
     ), addresses AS (
       INSERT INTO order_addresses (order_no, address, changed_at, event_id)
       SELECT "orderNo", address, "addressChangedAt", "eventId" FROM made ORDER BY "orderNo"
       ON CONFLICT (order_no) DO UPDATE SET address = EXCLUDED.address, changed_at = EXCLUDED.changed_at,
         event_id = EXCLUDED.event_id
       WHERE order_addresses.changed_at < EXCLUDED.changed_at
     ), events AS (
       ${outboxInsertSql("(SELECT jsonb_agg(created ORDER BY ord) FROM made)")}
     )
     SELECT "eventId" FROM made`;

const asJson = (item: NewFulfilment, ord: number) => {
  const { fulfilment, lines, packages } = item.plan;
  return {
    ord,
    eventId: item.eventId,
    ...fulfilment,
    addressChangedAt: item.addressChangedAt,
    lines: lines.map((l, ordinal) => ({ ...l, ordinal })),
    packages: packages.map(({ lines: _lines, task: _task, ...p }) => p),
    packageLines: packages.flatMap((p) =>
      p.lines.map((l, ordinal) => ({ packageId: p.packageId, ordinal, ...l })),
    ),
    created: item.created,
  };
};

/**
 * Records every event in the consumer's inbox and writes, for each order not fulfilled before, its
 * fulfilment, lines, packages, receiver and `package.created`: one statement, so all or nothing, and
 * safe to repeat after a failure. An event recorded before writes nothing; one whose order already has
 * its fulfilment (from another event) only records its inbox row. Event ids must be distinct.
 * Answers the ids of the events that made their order's fulfilment.
 */
export async function insertFulfilments(
  q: Queryable,
  consumer: string,
  items: readonly NewFulfilment[],
): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const { rows } = await q.query<{ eventId: string }>(INSERT_FULFILMENTS_SQL, [
    consumer,
    JSON.stringify(items.map(asJson)),
  ]);
  return new Set(rows.map((r) => r.eventId));
}

/** Those of the orders that have their fulfilment. */
export async function fulfilledOrders(q: Queryable, orderNos: readonly string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ order_no: string }>(
    "SELECT order_no FROM fulfilments WHERE order_no = ANY($1::text[])",
    [[...new Set(orderNos)]],
  );
  return new Set(rows.map((r) => r.order_no));
}
