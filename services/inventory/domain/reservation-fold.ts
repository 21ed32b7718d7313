import type { DeductionStrategy, ReservationStatus } from "../../../shared/contracts/inventory.contract";
import { appliedIdOf, type Movement } from "./movement";

/** Units of one SKU that one ship or unreserve call took from a warehouse. */
export interface UnitsAt {
  skuId: string;
  warehouseId: string;
  quantity: number;
}

/** One line of a reservation as the Redis record keeps it. */
export interface ReservationLine {
  skuId: string;
  lineId: string;
  /** The warehouse chosen when reserving (or checking). */
  warehouseId: string;
  quantity: number;
  strategy: DeductionStrategy;
  countsLimit: boolean;
  /** The warehouse the sold units are reserved in, once deducted (paid). */
  deductedFrom: string | null;
  /** Units shipped so far. */
  shipped: number;
  /** Paid units given back to available stock before shipping (intercepted, refunded). */
  unreserved: number;
}

/** A reservation rebuilt from the ledger. */
export interface ReservationRecord {
  reservationId: string;
  buyerId: string;
  province: string;
  status: ReservationStatus;
  lines: ReservationLine[];
  /** Per shipment applied, what it took (by SKU): a repeat of that shipment answers this. */
  shipments: Record<string, UnitsAt[]>;
  /** Per release applied (`inventory.unreserve`), what it gave back (by SKU). */
  releases: Record<string, UnitsAt[]>;
}

/** Units a paid line still holds in reserved stock. */
export const unitsHeld = (l: ReservationLine): number => l.quantity - l.shipped - l.unreserved;

/** Whether a record still holds stock or limit counts: HELD, or paid with units neither shipped nor unreserved. Open records never expire. */
export function isOpen(r: Pick<ReservationRecord, "status" | "lines">): boolean {
  return r.status === "HELD" || (r.status === "DEDUCTED" && r.lines.some((l) => unitsHeld(l) > 0));
}

/** The movement fields the fold reads. */
export type FoldInput = Pick<
  Movement,
  | "movementId"
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
  opened?: Omit<ReservationLine, "deductedFrom" | "shipped" | "unreserved">;
  closedBy?: "RELEASED" | "DEDUCTED";
  deductedFrom: string | null;
  shipped: number;
  unreserved: number;
}

interface ReservationFold {
  buyerId: string;
  province: string;
  lines: Map<string, LineFold>;
  shipments: Map<string, UnitsAt[]>;
  releases: Map<string, UnitsAt[]>;
}

const bySku = (a: { skuId: string }, b: { skuId: string }) =>
  a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0;

/** The order of units in answers and records: by SKU, then warehouse. */
export const compareUnits = (a: UnitsAt, b: UnitsAt): number =>
  bySku(a, b) || (a.warehouseId < b.warehouseId ? -1 : a.warehouseId > b.warehouseId ? 1 : 0);

function applied(into: Map<string, UnitsAt[]>, m: FoldInput): void {
  const id = appliedIdOf(m);
  into.set(id, [
    ...(into.get(id) ?? []),
    { skuId: m.skuId, warehouseId: m.warehouseId, quantity: m.quantity },
  ]);
}

function sortedRecord(applied: Map<string, UnitsAt[]>): Record<string, UnitsAt[]> {
  return Object.fromEntries(
    [...applied.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, u]) => [id, u.sort(compareUnits)]),
  );
}

/** Adds one movement to its reservation's fold; movements without a reservation (ADJUST, RESTOCK) are skipped. */
function foldMovement(res: ReservationFold, fold: LineFold, m: FoldInput): void {
  switch (m.kind) {
    case "RESERVE":
    case "CHECK":
      res.buyerId = m.buyerId ?? res.buyerId;
      res.province = m.province ?? res.province;
      fold.opened = {
        skuId: m.skuId,
        lineId: m.lineId ?? "",
        warehouseId: m.warehouseId,
        quantity: m.quantity,
        strategy: m.strategy ?? (m.kind === "RESERVE" ? "RESERVE_ON_ORDER" : "DEDUCT_ON_PAYMENT"),
        countsLimit: m.countsLimit,
      };
      return;
    case "RELEASE":
      fold.closedBy = "RELEASED";
      return;
    case "DEDUCT":
      fold.closedBy = "DEDUCTED";
      fold.deductedFrom = m.warehouseId;
      return;
    case "SHIP":
      fold.shipped += m.quantity;
      applied(res.shipments, m);
      return;
    case "UNRESERVE":
      fold.unreserved += m.quantity;
      applied(res.releases, m);
      return;
    case "RESTOCK":
    case "ADJUST":
      return;
  }
}

/**
 * Folds reservation movements into reservation records. A line is open when
 * it has a RESERVE or CHECK and no RELEASE or DEDUCT; each of those occurs at
 * most once per (reservation, SKU), and SHIP and UNRESERVE only add up, so the
 * order of the rows does not matter.
 */
export function foldReservations(movements: readonly FoldInput[]): ReservationRecord[] {
  const byReservation = new Map<string, ReservationFold>();
  for (const m of movements) {
    if (!m.reservationId || m.kind === "ADJUST" || m.kind === "RESTOCK") continue;
    const res = byReservation.get(m.reservationId) ?? {
      buyerId: "",
      province: "",
      lines: new Map(),
      shipments: new Map(),
      releases: new Map(),
    };
    byReservation.set(m.reservationId, res);
    const fold = res.lines.get(m.skuId) ?? { deductedFrom: null, shipped: 0, unreserved: 0 };
    res.lines.set(m.skuId, fold);
    foldMovement(res, fold, m);
  }
  const records: ReservationRecord[] = [];
  for (const [reservationId, res] of byReservation) {
    const folds = [...res.lines.values()].filter((f) => f.opened !== undefined);
    if (folds.length === 0) continue;
    const status: ReservationStatus = folds.some((f) => !f.closedBy)
      ? "HELD"
      : folds.some((f) => f.closedBy === "DEDUCTED")
        ? "DEDUCTED"
        : "RELEASED";
    const lines = folds
      .map(({ opened, deductedFrom, shipped, unreserved }) => ({
        ...(opened as NonNullable<LineFold["opened"]>),
        deductedFrom,
        shipped,
        unreserved,
      }))
      .sort(bySku);
    records.push({
      reservationId,
      buyerId: res.buyerId,
      province: res.province,
      status,
      lines,
      shipments: sortedRecord(res.shipments),
      releases: sortedRecord(res.releases),
    });
  }
  return records.sort((a, b) => (a.reservationId < b.reservationId ? -1 : 1));
}
