import type { DeductionStrategy, ReservationStatus } from "../../../shared/contracts/inventory.contract";
import {
  compareUnits,
  type ReservationLine,
  type ReservationRecord,
  type UnitsAt,
} from "../domain/reservation-fold";

/** A line as the Lua scripts store it in the reservation hash (`l:<skuId>`); `sh`/`ur` are absent while 0. */
interface StoredLine {
  line: string;
  wh: string;
  qty: number;
  strategy: DeductionStrategy;
  lim: 0 | 1;
  dwh?: string;
  sh?: number;
  ur?: number;
}

/** An applied shipment (`sh:<shipmentId>`) or release (`ur:<releaseId>`): `[[skuId, warehouseId, quantity]...]` by SKU. */
type StoredUnits = [skuId: string, warehouseId: string, quantity: number][];

const SHIPMENT = "sh:";
const RELEASE = "ur:";

/** Units as a script answered or stored them, by SKU then warehouse (Lua's sort may collate differently). */
export const unitsFromStored = (stored: unknown): UnitsAt[] =>
  (Array.isArray(stored) ? (stored as StoredUnits) : [])
    .map(([skuId, warehouseId, quantity]) => ({ skuId, warehouseId, quantity }))
    .sort(compareUnits);
const decodeUnits = (json: string): UnitsAt[] => unitsFromStored(JSON.parse(json));
const encodeUnits = (units: readonly UnitsAt[]): string =>
  JSON.stringify(units.map((u) => [u.skuId, u.warehouseId, u.quantity] satisfies StoredUnits[number]));

/** A reservation hash read back: null when there is none. A tombstone has a status and no lines. */
export function decodeReservation(
  reservationId: string,
  hash: Record<string, string>,
): ReservationRecord | null {
  if (!hash.status) return null;
  const lines: ReservationLine[] = [];
  const shipments: Record<string, UnitsAt[]> = {};
  const releases: Record<string, UnitsAt[]> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith(SHIPMENT)) shipments[field.slice(SHIPMENT.length)] = decodeUnits(value);
    if (field.startsWith(RELEASE)) releases[field.slice(RELEASE.length)] = decodeUnits(value);
    if (!field.startsWith("l:")) continue;
    const s = JSON.parse(value) as StoredLine;
    lines.push({
      skuId: field.slice(2),
      lineId: s.line,
      warehouseId: s.wh,
      quantity: s.qty,
      strategy: s.strategy,
      countsLimit: s.lim === 1,
      deductedFrom: s.dwh ?? null,
      shipped: s.sh ?? 0,
      unreserved: s.ur ?? 0,
    });
  }
  lines.sort((a, b) => (a.skuId < b.skuId ? -1 : 1));
  return {
    reservationId,
    buyerId: hash.buyer ?? "",
    province: hash.prov ?? "",
    status: hash.status as ReservationStatus,
    lines,
    shipments,
    releases,
  };
}

/** The hash fields of a reservation record, as the Lua scripts would have written them. */
export function encodeReservation(record: ReservationRecord): Record<string, string> {
  const fields: Record<string, string> = {
    status: record.status,
    buyer: record.buyerId,
    prov: record.province,
  };
  for (const l of record.lines) {
    const stored: StoredLine = {
      line: l.lineId,
      wh: l.warehouseId,
      qty: l.quantity,
      strategy: l.strategy,
      lim: l.countsLimit ? 1 : 0,
      ...(l.deductedFrom ? { dwh: l.deductedFrom } : {}),
      ...(l.shipped > 0 ? { sh: l.shipped } : {}),
      ...(l.unreserved > 0 ? { ur: l.unreserved } : {}),
    };
    fields[`l:${l.skuId}`] = JSON.stringify(stored);
  }
  for (const [id, units] of Object.entries(record.shipments)) fields[`${SHIPMENT}${id}`] = encodeUnits(units);
  for (const [id, units] of Object.entries(record.releases)) fields[`${RELEASE}${id}`] = encodeUnits(units);
  return fields;
}
