import type { DeductionStrategy, ReservationStatus } from "../../../shared/contracts/inventory.contract";
import type { ReservationLine, ReservationRecord } from "../domain/reservation-fold";

/** A line as the Lua scripts store it in the reservation hash (`l:<skuId>`). */
interface StoredLine {
  line: string;
  wh: string;
  qty: number;
  strategy: DeductionStrategy;
  lim: 0 | 1;
  dwh?: string;
}

/** A reservation hash read back: null when there is none. A tombstone has a status and no lines. */
export function decodeReservation(
  reservationId: string,
  hash: Record<string, string>,
): ReservationRecord | null {
  if (!hash.status) return null;
  const lines: ReservationLine[] = [];
  for (const [field, value] of Object.entries(hash)) {
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
    });
  }
  lines.sort((a, b) => (a.skuId < b.skuId ? -1 : 1));
  return {
    reservationId,
    buyerId: hash.buyer ?? "",
    province: hash.prov ?? "",
    status: hash.status as ReservationStatus,
    lines,
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
    };
    fields[`l:${l.skuId}`] = JSON.stringify(stored);
  }
  return fields;
}
