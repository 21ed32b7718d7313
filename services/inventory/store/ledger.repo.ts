import type { Pool } from "pg";
import { withTransaction } from "../../../shared/db/pool";
import { type LimitRow, limitCounts, type StockRow } from "../domain/drift";
import { type Movement, sumStockDeltas } from "../domain/movement";
import type { FoldInput, UnitsAt } from "../domain/reservation-fold";

const MOVEMENT_COLUMNS: readonly [column: string, type: string, get: (m: Movement) => unknown][] = [
  ["movement_id", "text", (m: Movement) => m.movementId],
  ["stream_id", "text", (m: Movement) => m.streamId],
  ["kind", "text", (m: Movement) => m.kind],
  ["reservation_id", "text", (m: Movement) => m.reservationId],
  ["sku_id", "text", (m: Movement) => m.skuId],
  ["warehouse_id", "text", (m: Movement) => m.warehouseId],
  ["buyer_id", "text", (m: Movement) => m.buyerId],
  ["line_id", "text", (m: Movement) => m.lineId],
  ["strategy", "text", (m: Movement) => m.strategy],
  ["province", "text", (m: Movement) => m.province],
  ["quantity", "bigint", (m: Movement) => m.quantity],
  ["on_hand_delta", "bigint", (m: Movement) => m.onHandDelta],
  ["reserved_delta", "bigint", (m: Movement) => m.reservedDelta],
  ["safety_delta", "bigint", (m: Movement) => m.safetyDelta],
  ["counts_limit", "boolean", (m: Movement) => m.countsLimit],
  ["occurred_at", "timestamptz", (m: Movement) => m.occurredAt.toISOString()],
];

const INSERT_MOVEMENTS = `INSERT INTO movements (${MOVEMENT_COLUMNS.map(([c]) => c).join(", ")})
  SELECT * FROM unnest(${MOVEMENT_COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(", ")})
  ON CONFLICT (movement_id) DO NOTHING
  RETURNING movement_id`;

// Rows are upserted in (sku, warehouse) order so that concurrent writers lock them in one order.
const UPSERT_STOCK = `INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, safety_stock)
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) ORDER BY 1, 2
  ON CONFLICT (sku_id, warehouse_id) DO UPDATE SET
    on_hand = stock.on_hand + EXCLUDED.on_hand,
    reserved = stock.reserved + EXCLUDED.reserved,
    safety_stock = stock.safety_stock + EXCLUDED.safety_stock,
    updated_at = now()`;

/**
 * Writes movements and applies them to the stock of record in one transaction.
 * A movement already written (a redelivered stream entry) is skipped, so its
 * deltas are applied exactly once. Returns how many were new.
 */
export async function writeMovements(pool: Pool, movements: readonly Movement[]): Promise<number> {
  if (movements.length === 0) return 0;
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ movement_id: string }>(
      INSERT_MOVEMENTS,
      MOVEMENT_COLUMNS.map(([, , get]) => movements.map(get)),
    );
    const fresh = new Set(rows.map((r) => r.movement_id));
    const deltas = sumStockDeltas(movements.filter((m) => fresh.delete(m.movementId)));
    if (deltas.length > 0) {
      await tx.query(UPSERT_STOCK, [
        deltas.map((d) => d.skuId),
        deltas.map((d) => d.warehouseId),
        deltas.map((d) => d.onHand),
        deltas.map((d) => d.reserved),
        deltas.map((d) => d.safety),
      ]);
    }
    return rows.length;
  });
}

/** The stock table of record. */
export async function readStockTable(pool: Pool): Promise<StockRow[]> {
  const { rows } = await pool.query(
    `SELECT sku_id AS "skuId", warehouse_id AS "warehouseId", on_hand::float8 AS "onHand",
       reserved::float8 AS reserved, safety_stock::float8 AS "safetyStock" FROM stock`,
  );
  return rows;
}

/** Per (SKU, warehouse), what the movements add up to (must equal the stock table). */
export async function readLedgerSums(pool: Pool): Promise<StockRow[]> {
  const { rows } = await pool.query(
    `SELECT sku_id AS "skuId", warehouse_id AS "warehouseId", sum(on_hand_delta)::float8 AS "onHand",
       sum(reserved_delta)::float8 AS reserved, sum(safety_delta)::float8 AS "safetyStock"
     FROM movements GROUP BY sku_id, warehouse_id`,
  );
  return rows;
}

/** Per (SKU, buyer), units in open and paid reservations of SKUs with a purchase limit (see `limitCounts`). */
export async function readLimitCounts(pool: Pool): Promise<LimitRow[]> {
  const { rows } = await pool.query(
    `SELECT sku_id AS "skuId", buyer_id AS "buyerId", kind, sum(quantity)::float8 AS quantity
     FROM movements WHERE counts_limit AND buyer_id IS NOT NULL
     GROUP BY sku_id, buyer_id, kind`,
  );
  return limitCounts(rows);
}

/**
 * Movements of the reservations still open (held, or paid with units neither shipped nor given back), or
 * changed within `retentionS` (their records answer retries).
 */
export async function readReservationMovements(pool: Pool, retentionS: number): Promise<FoldInput[]> {
  const { rows } = await pool.query(
    `WITH wanted AS (
       SELECT reservation_id FROM movements WHERE reservation_id IS NOT NULL
       GROUP BY reservation_id
       HAVING max(occurred_at) > now() - make_interval(secs => $1)
         OR count(*) FILTER (WHERE kind IN ('RESERVE', 'CHECK'))
            > count(*) FILTER (WHERE kind IN ('RELEASE', 'DEDUCT'))
         OR coalesce(sum(quantity) FILTER (WHERE kind = 'DEDUCT'), 0)
            > coalesce(sum(quantity) FILTER (WHERE kind IN ('SHIP', 'UNRESERVE')), 0))
     SELECT movement_id AS "movementId", kind, reservation_id AS "reservationId", sku_id AS "skuId", warehouse_id AS "warehouseId",
       buyer_id AS "buyerId", line_id AS "lineId", strategy, province, quantity::float8 AS quantity,
       counts_limit AS "countsLimit"
     FROM movements JOIN wanted USING (reservation_id) ORDER BY seq`,
    [retentionS],
  );
  return rows;
}

/** Every SKU (each must have a stock hash in Redis). */
export async function allSkuIds(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ sku_id: string }>("SELECT sku_id FROM skus ORDER BY sku_id");
  return rows.map((r) => r.sku_id);
}

/** Reservations with a line still held or checked according to the ledger. */
export async function openReservationIds(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ reservation_id: string }>(
    `SELECT reservation_id FROM movements WHERE reservation_id IS NOT NULL GROUP BY reservation_id
     HAVING count(*) FILTER (WHERE kind IN ('RESERVE', 'CHECK'))
       > count(*) FILTER (WHERE kind IN ('RELEASE', 'DEDUCT'))`,
  );
  return rows.map((r) => r.reservation_id);
}

/** The RESTOCK movements among `movementIds` (a return already in the ledger). */
export async function findRestocks(pool: Pool, movementIds: readonly string[]): Promise<UnitsAt[]> {
  const { rows } = await pool.query(
    `SELECT sku_id AS "skuId", warehouse_id AS "warehouseId", quantity::float8 AS quantity
     FROM movements WHERE movement_id = ANY($1::text[]) AND kind = 'RESTOCK'`,
    [movementIds],
  );
  return rows;
}
