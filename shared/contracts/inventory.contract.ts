/**
 * Actions of the inventory service that other services call (params and results).
 * The REST shapes are in API.md; these are the RPC shapes.
 */

export type DeductionStrategy = "RESERVE_ON_ORDER" | "DEDUCT_ON_PAYMENT";

/** The SKU master as other services see it (`inventory.getSkus`). */
export interface SkuInfo {
  skuId: string;
  shopId: string;
  title: string;
  spec: string;
  priceMinor: number;
  imageUrl: string | null;
  category: string;
  storageClass: string;
  weightGrams: number;
  volumeCm3: number;
  declaredValueMinor: number;
  deductionStrategy: DeductionStrategy;
  purchaseLimitPerUser: number | null;
  onSale: boolean;
}

/** `inventory.getSkus {skuIds}` -> the SKUs that exist, in any order. */
export interface GetSkusParams {
  skuIds: string[];
}
export interface GetSkusResult {
  items: SkuInfo[];
}

/** One line to reserve (RESERVE_ON_ORDER) or only check (DEDUCT_ON_PAYMENT); strategy already resolved per campaign. */
export interface ReserveLine {
  lineId: string;
  skuId: string;
  quantity: number;
  strategy: DeductionStrategy;
}

/**
 * `inventory.reserve`: all lines or none, atomically, with purchase limits per buyer.
 * Idempotent per (reservationId, skuId): a retry returns the first result.
 * Errors: OUT_OF_STOCK {skuId}, PURCHASE_LIMIT_EXCEEDED {skuId, limit}, SKU_NOT_FOUND / SKU_OFF_SALE {skuId}.
 */
export interface ReserveParams {
  /** The child order number: reservations are per child order. */
  reservationId: string;
  buyerId: string;
  /** The receiver's province: warehouses serving it are preferred. */
  province: string;
  lines: ReserveLine[];
  /**
   * An exchange's replacement units (the reservation id is the after-sales number): the buyer buys nothing
   * more, so the SKU's purchase limit does not count them and a SKU taken off sale may still be sent.
   */
  replacement?: boolean;
}
export interface ReservedLine {
  lineId: string;
  skuId: string;
  warehouseId: string;
  quantity: number;
  strategy: DeductionStrategy;
}
export interface ReserveResult {
  reservationId: string;
  lines: ReservedLine[];
  /** HELD; RELEASED or DEDUCTED when a retry arrives after the reservation was closed (then nothing is reserved). */
  status?: ReservationStatus;
}

/** Where a reservation stands: HELD until released (cancel, timeout) or deducted (payment). */
export type ReservationStatus = "HELD" | "RELEASED" | "DEDUCTED";

/** `inventory.release {reservationId}`: returns reserved stock and purchase-limit counts; idempotent, a no-op when nothing is held. */
export interface ReleaseParams {
  reservationId: string;
  reason: string;
}
export interface ReleaseResult {
  reservationId: string;
  released: boolean;
}

/**
 * `inventory.deduct {reservationId}` when payment succeeded: all lines or none, idempotent.
 * The units are sold: RESERVE_ON_ORDER lines keep their hold, DEDUCT_ON_PAYMENT lines are reserved now;
 * on-hand falls only when a package ships (`inventory.ship`).
 * Errors: OUT_OF_STOCK {skuId} (a checked-only line ran out; nothing changed), NOT_FOUND {reservationId},
 * INVALID_TRANSITION {reservationId, state: "RELEASED"}.
 * `inventory.verify {reservationId}` takes the same params and checks the same without changing anything
 * (the re-check before a payment starts).
 */
export interface DeductParams {
  reservationId: string;
}
export interface DeductResult {
  reservationId: string;
  status: ReservationStatus;
  /** Per line, the warehouse the stock comes from. */
  lines: ReservedLine[];
}

/** Units of a SKU in a stock movement after payment. */
export interface StockUnits {
  skuId: string;
  quantity: number;
}

/**
 * `inventory.ship`: a package was handed over. Its units leave the warehouse: on-hand and reserved both
 * fall by the quantity (a paid order's units stay reserved until they ship, whatever the strategy).
 * Idempotent per (reservationId, shipmentId). Errors: NOT_FOUND {reservationId}, INVALID_TRANSITION
 * {reservationId, state} (not DEDUCTED), VALIDATION_FAILED {field: "lines[i].quantity"} (more than the
 * reservation still holds for the SKU; nothing changed).
 */
export interface ShipParams {
  reservationId: string;
  shipmentId: string;
  lines: StockUnits[];
}
export interface ShipResult {
  reservationId: string;
  shipmentId: string;
  lines: (StockUnits & { warehouseId: string })[];
}

/**
 * `inventory.unreserve`: units of a paid order that will not ship (intercepted, refunded before shipment)
 * go back to available stock and stop counting toward the buyer's purchase limit. Idempotent per
 * (reservationId, releaseId). Errors as `ship`.
 */
export interface UnreserveParams {
  reservationId: string;
  releaseId: string;
  lines: StockUnits[];
  reason: string;
}
export interface UnreserveResult {
  reservationId: string;
  releaseId: string;
  lines: (StockUnits & { warehouseId: string })[];
}

/**
 * `inventory.restock`: returned goods received back into a warehouse (退货入库): on-hand rises.
 * Idempotent per returnId. Errors: SKU_NOT_FOUND {skuId}, WAREHOUSE_NOT_FOUND {warehouseId}.
 */
export interface RestockParams {
  returnId: string;
  lines: (StockUnits & { warehouseId: string })[];
  reason: string;
}
export interface RestockResult {
  returnId: string;
  lines: (StockUnits & { warehouseId: string })[];
}

/** Durable events of the inventory service (outbox -> channel). */
export const INVENTORY_CHANNELS = {
  /** A periodic stock check found drift the check before it had not (payload StockDriftedPayload). */
  drifted: "inventory.drifted",
  /** A stock check found no drift where the check before it had some (payload StockDriftClearedPayload). */
  driftCleared: "inventory.drift-cleared",
} as const;

/** `inventory.drifted`: Redis counters and the PostgreSQL ledger disagree (docs/inventory.md "Periodic check"). */
export interface StockDriftedPayload {
  /** The check's id, as `GET /admin/inventory/checks` lists it. */
  checkId: number;
  /** ISO-8601 instant of the check. */
  checkedAt: string;
  driftCount: number;
  /** Drifts per kind (STOCK, LIMIT, RESERVATION, LEDGER), only the kinds found. */
  byKind: Record<string, number>;
}

/** `inventory.drift-cleared`: Redis counters and the ledger agree again (docs/inventory.md "Periodic check"). */
export interface StockDriftClearedPayload {
  /** The clean check's id. */
  checkId: number;
  /** ISO-8601 instant of the clean check. */
  checkedAt: string;
  /** The check before it, the last that found drift. */
  previousCheckId: number;
}
