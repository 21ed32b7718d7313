import type { DeductionStrategy } from "../../../shared/contracts/inventory.contract";

/**
 * What a movement did: RESERVE holds stock, CHECK only counts for the purchase limit, DEDUCT marks units
 * sold (they stay reserved), SHIP takes shipped units out of on-hand and reserved, UNRESERVE returns
 * paid units that will not ship, RESTOCK adds returned goods, ADJUST sets on-hand.
 */
export type MovementKind =
  | "RESERVE"
  | "CHECK"
  | "RELEASE"
  | "DEDUCT"
  | "SHIP"
  | "UNRESERVE"
  | "RESTOCK"
  | "ADJUST";

/** How each kind changes the buyer's purchase-limit count, per unit (for lines that count the limit). */
export const LIMIT_EFFECT: Readonly<Record<MovementKind, -1 | 0 | 1>> = {
  RESERVE: 1,
  CHECK: 1,
  RELEASE: -1,
  DEDUCT: 0,
  SHIP: 0,
  UNRESERVE: -1,
  RESTOCK: 0,
  ADJUST: 0,
};

export const MOVEMENT_KINDS = Object.keys(LIMIT_EFFECT) as readonly MovementKind[];

/** One row of the ledger of record: the change one Lua script made to one SKU in one warehouse. */
export interface Movement {
  /**
   * `<reservationId>:<skuId>:<kind>`, `<reservationId>:<skuId>:SHIP:<shipmentId>` (and `UNRESERVE:<releaseId>`),
   * `restock:<returnId>:<skuId>:<warehouseId>` or `adjust:<uuid>:<skuId>:<warehouseId>`: writing it twice is a no-op.
   */
  movementId: string;
  /** The Redis stream entry that carried it. */
  streamId: string;
  kind: MovementKind;
  reservationId: string | null;
  skuId: string;
  warehouseId: string;
  buyerId: string | null;
  lineId: string | null;
  strategy: DeductionStrategy | null;
  province: string | null;
  quantity: number;
  onHandDelta: number;
  reservedDelta: number;
  safetyDelta: number;
  /** Whether the line counts toward the buyer's purchase limit (the SKU had a limit when reserved). */
  countsLimit: boolean;
  occurredAt: Date;
}

/** The movement as the Lua scripts encode it in the stream entry's `m` field (a JSON array). */
interface WireMovement {
  id: string;
  kind: string;
  res?: string;
  sku: string;
  wh: string;
  buyer?: string;
  line?: string;
  strategy?: string;
  prov?: string;
  qty: number;
  dOn?: number;
  dRes?: number;
  dSafe?: number;
  lim?: number;
  at: number;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const optStr = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** Decodes a stream entry's movements; throws on anything malformed (such an entry goes to the dead letters). */
export function decodeMovements(streamId: string, json: string): Movement[] {
  const parsed: unknown = JSON.parse(json);
  // cjson encodes an empty Lua table as an object.
  const list = Array.isArray(parsed) ? parsed : [];
  return list.map((raw: WireMovement) => {
    if (typeof raw?.id !== "string" || !MOVEMENT_KINDS.includes(raw.kind as MovementKind))
      throw new Error(`Malformed movement in stream entry ${streamId}`);
    if (typeof raw.sku !== "string" || typeof raw.wh !== "string" || !isInt(raw.qty) || !isInt(raw.at))
      throw new Error(`Malformed movement ${raw.id} in stream entry ${streamId}`);
    return {
      movementId: raw.id,
      streamId,
      kind: raw.kind as MovementKind,
      reservationId: optStr(raw.res),
      skuId: raw.sku,
      warehouseId: raw.wh,
      buyerId: optStr(raw.buyer),
      lineId: optStr(raw.line),
      strategy: optStr(raw.strategy) as DeductionStrategy | null,
      province: optStr(raw.prov),
      quantity: raw.qty,
      onHandDelta: isInt(raw.dOn) ? raw.dOn : 0,
      reservedDelta: isInt(raw.dRes) ? raw.dRes : 0,
      safetyDelta: isInt(raw.dSafe) ? raw.dSafe : 0,
      countsLimit: raw.lim === 1,
      occurredAt: new Date(raw.at),
    };
  });
}

/** The shipment or release id in a SHIP or UNRESERVE movement id (`<reservationId>:<skuId>:<kind>:<id>`). */
export function appliedIdOf(m: Pick<Movement, "movementId" | "reservationId" | "skuId" | "kind">): string {
  const prefix = `${m.reservationId}:${m.skuId}:${m.kind}:`;
  if (!m.movementId.startsWith(prefix)) throw new Error(`Movement ${m.movementId} carries no ${m.kind} id`);
  return m.movementId.slice(prefix.length);
}

/** The return id in a RESTOCK movement id (`restock:<returnId>:<skuId>:<warehouseId>`). */
export function returnIdOf(m: Pick<Movement, "movementId" | "skuId" | "warehouseId">): string {
  const suffix = `:${m.skuId}:${m.warehouseId}`;
  if (!m.movementId.startsWith("restock:") || !m.movementId.endsWith(suffix))
    throw new Error(`Movement ${m.movementId} carries no return id`);
  return m.movementId.slice("restock:".length, -suffix.length);
}
