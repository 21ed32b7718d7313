import type { Pool } from "pg";
import {
  INVENTORY_CHANNELS,
  type StockDriftClearedPayload,
  type StockDriftedPayload,
} from "../../../shared/contracts/inventory.contract";
import { withTransaction } from "../../../shared/db/pool";
import { recordEvent } from "../../../shared/outbox/outbox";
import { type Drift, driftByKind, driftFingerprint } from "../domain/drift";

/** How many of a check's drifts are kept for reading; the count is always the whole. */
export const STOCK_CHECK_SAMPLE = 100;

/** One periodic stock check as stored (`GET /admin/inventory/checks`). */
export interface StockCheck {
  checkId: number;
  checkedAt: string;
  ok: boolean;
  driftCount: number;
  byKind: Record<string, number>;
  /** The first `STOCK_CHECK_SAMPLE` drifts. */
  drift: Drift[];
  /** Whether this check told the operators: its result differed from the previous check's (new drift, or none left). */
  announced: boolean;
}

interface StockCheckRow {
  id: number | string;
  checked_at: Date;
  drift_count: number;
  by_kind: Record<string, number>;
  drift: Drift[];
  announced: boolean;
}

const toStockCheck = (r: StockCheckRow): StockCheck => ({
  checkId: Number(r.id),
  checkedAt: r.checked_at.toISOString(),
  ok: r.drift_count === 0,
  driftCount: r.drift_count,
  byKind: r.by_kind,
  drift: r.drift,
  announced: r.announced,
});

/**
 * Records what a check found. When its drift is not the drift of the check before it, an event
 * commits with it: `inventory.drifted` for drift that is new, changed or back, and
 * `inventory.drift-cleared` for a clean check after drift. Drift that stays is told once; a clean
 * check after a clean one (or the first check, clean) tells nobody. Checks are recorded one at a
 * time (the table lock), so two never compare themselves with the same predecessor.
 */
export async function recordStockCheck(
  pool: Pool,
  checkedAt: Date,
  drift: readonly Drift[],
): Promise<StockCheck> {
  const fingerprint = driftFingerprint(drift);
  const byKind = driftByKind(drift);
  return withTransaction(pool, async (tx) => {
    await tx.query("LOCK TABLE stock_checks IN EXCLUSIVE MODE");
    const { rows: before } = await tx.query<{ id: string; fingerprint: string | null }>(
      "SELECT id, fingerprint FROM stock_checks ORDER BY id DESC LIMIT 1",
    );
    const previous = before[0];
    const announced = fingerprint !== (previous?.fingerprint ?? null);
    const { rows } = await tx.query<StockCheckRow>(
      `INSERT INTO stock_checks (checked_at, drift_count, by_kind, drift, fingerprint, announced)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [
        checkedAt,
        drift.length,
        JSON.stringify(byKind),
        JSON.stringify(drift.slice(0, STOCK_CHECK_SAMPLE)),
        fingerprint,
        announced,
      ],
    );
    const check = toStockCheck(rows[0] as StockCheckRow);
    if (announced && fingerprint !== null) {
      await recordEvent<StockDriftedPayload>(
        tx,
        INVENTORY_CHANNELS.drifted,
        { checkId: check.checkId, checkedAt: check.checkedAt, driftCount: drift.length, byKind },
        checkedAt,
      );
    } else if (announced && previous) {
      await recordEvent<StockDriftClearedPayload>(
        tx,
        INVENTORY_CHANNELS.driftCleared,
        { checkId: check.checkId, checkedAt: check.checkedAt, previousCheckId: Number(previous.id) },
        checkedAt,
      );
    }
    return check;
  });
}

/** Checks newest first, a page at a time: the cursor is the last check's id. */
export async function readStockChecks(
  pool: Pool,
  query: { limit: number; cursor?: string },
): Promise<{ items: StockCheck[]; nextCursor: string | null }> {
  const { rows } = await pool.query<StockCheckRow>(
    "SELECT * FROM stock_checks WHERE $1::bigint IS NULL OR id < $1 ORDER BY id DESC LIMIT $2",
    [query.cursor ?? null, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toStockCheck),
    nextCursor: rows.length > query.limit && last ? String(last.id) : null,
  };
}
