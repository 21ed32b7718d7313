/**
 * The warehouse service's RPC and durable-event contract (packages and their tasks).
 * REST shapes are in API.md ("Fulfilment and logistics"); these are the internal shapes.
 */
import type { Carrier, LogisticsStatus, ShippingMethod } from "./logistics.contract";
import type { OrderAddress } from "./order.contract";

/** Where a package's warehouse task stands; HANDED_OVER = shipped. */
export type PackageStatus =
  | "PENDING"
  | "WAYBILL_PRINTED"
  | "PICKED"
  | "PACKED"
  | "HANDED_OVER"
  | "INTERCEPTED";
export type TaskStep = "PRINT_WAYBILL" | "PICK" | "PACK";

/** A package as the order detail and `GET /orders/{orderNo}/packages` show it (API.md Package, plus the task). */
export interface PackageView {
  packageId: string;
  orderNo: string;
  warehouseId: string;
  status: PackageStatus;
  lines: { lineId: string; skuId: string; quantity: number }[];
  method: ShippingMethod | null;
  carrier: Carrier | null;
  trackingNo: string | null;
  logisticsStatus: LogisticsStatus | null;
  events: { status: LogisticsStatus; at: string; description?: string }[];
  /** Why the split made this package: WAREHOUSE, STORAGE_CLASS, HIGH_VALUE, WEIGHT, VOLUME (the last rule that cut it). */
  splitReason: string | null;
  /** Set on an exchange's replacement package (换货出库): the after-sales request it ships for. */
  afterSalesNo: string | null;
  /** Set when the package's waybill was cancelled at the carrier (an intercepted package's online waybill). */
  waybillCancelledAt?: string;
  task: {
    waybillPrintedAt: string | null;
    pickedAt: string | null;
    packedAt: string | null;
    handedOverAt: string | null;
    interceptedAt: string | null;
  };
  createdAt: string;
}

/** `warehouse.packagesOf {orderNo}` (RPC for the order service, which has checked the caller). */
export interface PackagesOfParams {
  orderNo: string;
}
export interface PackagesOfResult {
  items: PackageView[];
}

/**
 * `warehouse.intercept`: takes units of a paid order out of packages not yet handed over (a cancel
 * approved before hand-over). All or nothing; idempotent per interceptId. A package left empty becomes
 * INTERCEPTED. The intercepted units' stock is released (reliably, after commit).
 * Errors: PACKAGE_ALREADY_SHIPPED {lineId} (some requested units are already handed over; nothing changed),
 * NOT_FOUND {orderNo} (no fulfilment for the order yet), VALIDATION_FAILED {field} (unknown line, too many units).
 */
export interface InterceptParams {
  orderNo: string;
  interceptId: string;
  /** Omitted: everything not yet handed over. */
  lines?: { lineId: string; quantity: number }[];
  reason: string;
}
export interface InterceptResult {
  orderNo: string;
  interceptId: string;
  lines: { lineId: string; skuId: string; quantity: number }[];
  /** Packages that became INTERCEPTED. */
  packageIds: string[];
}

/**
 * `warehouse.receiveReturn`: a buyer's returned goods arrived at the warehouse (退货入库): recorded once per
 * returnId (the after-sales number) and put back on hand through `inventory.restock`. Answers the receipt.
 */
export interface ReceiveReturnParams {
  returnId: string;
  orderNo: string;
  lines: { lineId: string; skuId: string; warehouseId: string; quantity: number }[];
}
export interface ReceiveReturnResult {
  returnId: string;
  receivedAt: string;
}

/**
 * `warehouse.createReplacement`: an exchange ships replacement units (换货出库) as new packages of the order,
 * split like any order's; their stock is reserved and sold under reservation id `afterSalesNo` (RESERVE_ON_ORDER,
 * warehouses serving the address's province first). Idempotent per afterSalesNo (a retry answers the same
 * packages). Shipping them emits `package.shipped` with `afterSalesNo` set. Errors: OUT_OF_STOCK {skuId}.
 */
export interface CreateReplacementParams {
  afterSalesNo: string;
  orderNo: string;
  shopId: string;
  buyerId: string;
  address: OrderAddress;
  lines: { lineId: string; skuId: string; quantity: number }[];
}
export interface CreateReplacementResult {
  afterSalesNo: string;
  packageIds: string[];
}

/** The warehouse service's durable channels (outbox -> JetStream). */
export const WAREHOUSE_CHANNELS = {
  /** Packages were made for a paid order. */
  packagesCreated: "package.created",
  shipped: "package.shipped",
  intercepted: "package.intercepted",
} as const;

export interface PackagesCreatedPayload {
  orderNo: string;
  packageIds: string[];
}

/** A package was handed over (to a carrier, or NO_LOGISTICS). */
export interface PackageShippedPayload {
  packageId: string;
  orderNo: string;
  shopId: string;
  buyerId: string;
  method: ShippingMethod;
  carrier: Carrier | null;
  trackingNo: string | null;
  shippedAt: string;
  /** Every package of the order that still holds units is handed over now (decided under the order's lock). */
  allShipped: boolean;
  /** Set for an exchange's replacement package: it does not count toward the order's own shipping. */
  afterSalesNo?: string | null;
}

export interface PackageInterceptedPayload {
  orderNo: string;
  interceptId: string;
  lines: { lineId: string; skuId: string; quantity: number }[];
  packageIds: string[];
  /** After this interception every package still holding units is handed over (and at least one was). */
  allShipped: boolean;
}
