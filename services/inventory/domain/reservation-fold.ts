import type { DeductionStrategy, ReservationStatus } from "../../../shared/contracts/inventory.contract";
import type { Movement } from "./movement";

/** One line of a reservation as the Redis record keeps it. */
export interface ReservationLine {
  skuId: string;
  lineId: string;
  /** The warehouse chosen when reserving (or checking). */
  warehouseId: string;
  quantity: number;
  strategy: DeductionStrategy;
  countsLimit: boolean;
  /** The warehouse the stock was deducted from, once deducted. */
  deductedFrom: string | null;
}

/** A reservation rebuilt from the ledger. */
export interface ReservationRecord {
  reservationId: string;
  buyerId: string;
  province: string;
  status: ReservationStatus;
  lines: ReservationLine[];
}

/** The movement fields the fold reads. */
export type FoldInput = Pick<
  Movement,
  | "kind"
  | "reservationId"
  | "skuId"
  | "warehouseId"
  | "buyerId"
  | "lineId"
  | "strategy"
  | "province"
  | "quantity"
  | "countsLimit"
>;

interface LineFold {
  line?: ReservationLine;
  closedBy?: "RELEASED" | "DEDUCTED";
}

/**
 * Folds reservation movements into reservation records. A line is open when
 * it has a RESERVE or CHECK and no RELEASE or DEDUCT; each kind occurs at most
 * once per (reservation, SKU), so the order of the rows does not matter.
 */
export function foldReservations(movements: readonly FoldInput[]): ReservationRecord[] {
  const byReservation = new Map<
    string,
    { buyerId: string; province: string; lines: Map<string, LineFold> }
  >();
  for (const m of movements) {
    if (!m.reservationId || m.kind === "ADJUST") continue;
    const res = byReservation.get(m.reservationId) ?? { buyerId: "", province: "", lines: new Map() };
    byReservation.set(m.reservationId, res);
    const fold = res.lines.get(m.skuId) ?? {};
    res.lines.set(m.skuId, fold);
    if (m.kind === "RESERVE" || m.kind === "CHECK") {
      res.buyerId = m.buyerId ?? res.buyerId;
      res.province = m.province ?? res.province;
      fold.line = {
        skuId: m.skuId,
        lineId: m.lineId ?? "",
        warehouseId: m.warehouseId,
        quantity: m.quantity,
        strategy: m.strategy ?? (m.kind === "RESERVE" ? "RESERVE_ON_ORDER" : "DEDUCT_ON_PAYMENT"),
        countsLimit: m.countsLimit,
        deductedFrom: fold.line?.deductedFrom ?? null,
      };
    } else if (m.kind === "RELEASE") {
      fold.closedBy = "RELEASED";
    } else {
      fold.closedBy = "DEDUCTED";
      if (fold.line) fold.line.deductedFrom = m.warehouseId;
      else fold.line = { deductedFrom: m.warehouseId } as ReservationLine;
    }
  }
  const records: ReservationRecord[] = [];
  for (const [reservationId, res] of byReservation) {
    const folds = [...res.lines.values()].filter((f) => f.line?.skuId !== undefined);
    if (folds.length === 0) continue;
    const status: ReservationStatus = folds.some((f) => !f.closedBy)
      ? "HELD"
      : folds.some((f) => f.closedBy === "DEDUCTED")
        ? "DEDUCTED"
        : "RELEASED";
    const lines = folds.map((f) => f.line as ReservationLine).sort((a, b) => (a.skuId < b.skuId ? -1 : 1));
    records.push({ reservationId, buyerId: res.buyerId, province: res.province, status, lines });
  }
  return records.sort((a, b) => (a.reservationId < b.reservationId ? -1 : 1));
}
