import { createHash } from "node:crypto";
import { LIMIT_EFFECT, type MovementKind } from "./movement";
import type { StockCounters } from "./stock-figures";

/** Counters of one SKU in one warehouse, from one side of the comparison. */
export interface StockRow extends StockCounters {
  skuId: string;
  warehouseId: string;
}

/** Units one buyer holds (open or paid) of one SKU with a purchase limit. */
export interface LimitRow {
  skuId: string;
  buyerId: string;
  used: number;
}

/** A disagreement found by reconciliation; `redis` or `ledger` is null when that side has no entry. */
export type Drift =
  | {
      kind: "STOCK";
      skuId: string;
      warehouseId: string;
      redis: StockCounters | null;
      ledger: StockCounters | null;
    }
  | { kind: "LIMIT"; skuId: string; buyerId: string; redis: { used: number }; ledger: { used: number } }
  | { kind: "RESERVATION"; reservationId: string; redis: { held: boolean }; ledger: { held: boolean } }
  | {
      kind: "LEDGER";
      skuId: string;
      warehouseId: string;
      stockTable: StockCounters | null;
      ledger: StockCounters | null;
    };

const ZERO: StockCounters = { onHand: 0, reserved: 0, safetyStock: 0 };
const key = (...parts: string[]) => parts.join("\u0000");
const counters = (r: StockCounters): StockCounters => ({
  onHand: r.onHand,
  reserved: r.reserved,
  safetyStock: r.safetyStock,
});
const same = (a: StockCounters, b: StockCounters) =>
  a.onHand === b.onHand && a.reserved === b.reserved && a.safetyStock === b.safetyStock;

/** Pairs up rows by (SKU, warehouse) and lists those that differ; a missing row counts as all zeros. */
export function diffStock(
  left: readonly StockRow[],
  right: readonly StockRow[],
): { skuId: string; warehouseId: string; left: StockCounters | null; right: StockCounters | null }[] {
  const l = new Map(left.map((r) => [key(r.skuId, r.warehouseId), r]));
  const r = new Map(right.map((x) => [key(x.skuId, x.warehouseId), x]));
  const keys = [...new Set([...l.keys(), ...r.keys()])].sort();
  const out = [];
  for (const k of keys) {
    const a = l.get(k);
    const b = r.get(k);
    if (same(a ?? ZERO, b ?? ZERO)) continue;
    const ids = (a ?? b) as StockRow;
    out.push({
      skuId: ids.skuId,
      warehouseId: ids.warehouseId,
      left: a ? counters(a) : null,
      right: b ? counters(b) : null,
    });
  }
  return out;
}

/** Pairs up purchase-limit counters by (SKU, buyer) and lists those that differ (missing = 0). */
export function diffLimits(redis: readonly LimitRow[], ledger: readonly LimitRow[]): Drift[] {
  const l = new Map(redis.map((r) => [key(r.skuId, r.buyerId), r]));
  const r = new Map(ledger.map((x) => [key(x.skuId, x.buyerId), x]));
  const keys = [...new Set([...l.keys(), ...r.keys()])].sort();
  const out: Drift[] = [];
  for (const k of keys) {
    const a = l.get(k)?.used ?? 0;
    const b = r.get(k)?.used ?? 0;
    if (a === b) continue;
    const ids = (l.get(k) ?? r.get(k)) as LimitRow;
    out.push({
      kind: "LIMIT",
      skuId: ids.skuId,
      buyerId: ids.buyerId,
      redis: { used: a },
      ledger: { used: b },
    });
  }
  return out;
}

/** The units of one kind of movement for one (SKU, buyer), from lines that count the purchase limit. */
export interface LimitMovementSum {
  skuId: string;
  buyerId: string;
  kind: MovementKind;
  quantity: number;
}

/**
 * What each buyer holds per SKU according to the ledger: RESERVE and CHECK
 * count, RELEASE and UNRESERVE give back, DEDUCT and SHIP change nothing (a
 * paid or shipped unit still counts). Pairs at zero are left out, as Redis
 * deletes a counter that falls to zero.
 */
export function limitCounts(sums: readonly LimitMovementSum[]): LimitRow[] {
  const used = new Map<string, LimitRow>();
  for (const s of sums) {
    const k = key(s.skuId, s.buyerId);
    const row = used.get(k) ?? { skuId: s.skuId, buyerId: s.buyerId, used: 0 };
    row.used += LIMIT_EFFECT[s.kind] * s.quantity;
    used.set(k, row);
  }
  return [...used.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row)
    .filter((row) => row.used > 0);
}

/** Reservations held on one side only. */
export function diffReservations(redisHeld: readonly string[], ledgerHeld: readonly string[]): Drift[] {
  const inRedis = new Set(redisHeld);
  const inLedger = new Set(ledgerHeld);
  return [...new Set([...inRedis, ...inLedger])]
    .filter((id) => inRedis.has(id) !== inLedger.has(id))
    .sort()
    .map((reservationId) => ({
      kind: "RESERVATION",
      reservationId,
      redis: { held: inRedis.has(reservationId) },
      ledger: { held: inLedger.has(reservationId) },
    }));
}

/** Every drift: Redis counters vs the stock of record, limit counters, held reservations, and the stock table vs its movements. */
export function reconcile(input: {
  redisStock: readonly StockRow[];
  stockTable: readonly StockRow[];
  ledgerSums: readonly StockRow[];
  redisLimits: readonly LimitRow[];
  ledgerLimits: readonly LimitRow[];
  redisHeld: readonly string[];
  ledgerHeld: readonly string[];
}): Drift[] {
  const stock: Drift[] = diffStock(input.redisStock, input.stockTable).map((d) => ({
    kind: "STOCK",
    skuId: d.skuId,
    warehouseId: d.warehouseId,
    redis: d.left,
    ledger: d.right,
  }));
  const ledger: Drift[] = diffStock(input.stockTable, input.ledgerSums).map((d) => ({
    kind: "LEDGER",
    skuId: d.skuId,
    warehouseId: d.warehouseId,
    stockTable: d.left,
    ledger: d.right,
  }));
  const limits = diffLimits(input.redisLimits, input.ledgerLimits);
  return [...stock, ...limits, ...diffReservations(input.redisHeld, input.ledgerHeld), ...ledger];
}

/** A drift's identity: what differs, not by how much, so it stays the same while traffic moves the counters. */
export const driftKey = (d: Drift): string =>
  d.kind === "RESERVATION"
    ? key(d.kind, d.reservationId)
    : key(d.kind, d.skuId, "warehouseId" in d ? d.warehouseId : d.buyerId);

/** How many drifts of each kind were found (only the kinds found). */
export function driftByKind(drift: readonly Drift[]): Partial<Record<Drift["kind"], number>> {
  const byKind: Partial<Record<Drift["kind"], number>> = {};
  for (const d of drift) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  return byKind;
}

/**
 * The identity of a set of drifts, to tell whether a check found the same drift as the one before it
 * (a periodic check tells operators of drift that stays once, and again when it changes); null when
 * there is none.
 */
export function driftFingerprint(drift: readonly Drift[]): string | null {
  if (drift.length === 0) return null;
  const hash = createHash("sha256");
  for (const k of drift.map(driftKey).sort()) hash.update(k).update("\u0001");
  return hash.digest("base64url");
}
