import type { Pool } from "pg";
import { type LimitRow, limitCounts, type StockRow } from "../domain/drift";
import type { Movement } from "../domain/movement";
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

// The new movements (a redelivered stream entry's are skipped), then their deltas summed per stock row
// and upserted in (sku, warehouse) order, so that concurrent writers lock the rows in one order. A
// movement that moves nothing touches no stock row, unless it is an adjustment (which creates it).
const WRITE_MOVEMENTS = `WITH fresh AS (
    INSERT INTO movements (${MOVEMENT_COLUMNS.map(([c]) => c).join(", ")})
    SELECT * FROM unnest(${MOVEMENT_COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(", ")})
    ON CONFLICT (movement_id) DO NOTHING
    RETURNING kind, sku_id, warehouse_id, on_hand_delta, reserved_delta, safety_delta
  ), stock_rows AS (
    INSERT INTO stock AS s (sku_id, warehouse_id, on_hand, reserved, safety_stock)
    SELECT sku_id, warehouse_id, sum(on_hand_delta), sum(reserved_delta), sum(safety_delta) FROM fresh
    WHERE kind = 'ADJUST' OR on_hand_delta <> 0 OR reserved_delta <> 0 OR safety_delta <> 0
    GROUP BY sku_id, warehouse_id ORDER BY sku_id, warehouse_id
    ON CONFLICT (sku_id, warehouse_id) DO UPDATE SET
      on_hand = s.on_hand + EXCLUDED.on_hand,
      reserved = s.reserved + EXCLUDED.reserved,
      safety_stock = s.safety_stock + EXCLUDED.safety_stock,
      updated_at = now()
  )
  SELECT count(*)::int AS n FROM fresh`;

/**
 * Writes movements and applies them to the stock of record in ONE statement.
 * A movement already written (a redelivered stream entry) is skipped, so its
 * deltas are applied exactly once. Returns how many were new.
 */
export async function writeMovements(pool: Pool, movements: readonly Movement[]): Promise<number> {
  if (movements.length === 0) return 0;
  const { rows } = await pool.query<{ n: number }>(
    WRITE_MOVEMENTS,
    MOVEMENT_COLUMNS.map(([, , get]) => movements.map(get)),
  );
  return rows[0]?.n ?? 0;
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
