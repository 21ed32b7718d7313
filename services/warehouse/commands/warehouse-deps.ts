import type { Pool } from "pg";
import type {
  DeductResult,
  ReserveParams,
  ReserveResult,
  RestockParams,
  RestockResult,
  ShipParams,
  SkuInfo,
  UnreserveParams,
} from "../../../shared/contracts/inventory.contract";
import type {
  CreateWaybillParams,
  RegisterShipmentParams,
  ShipmentRecord,
  WaybillResult,
} from "../../../shared/contracts/logistics.contract";
import type { SplitRules } from "../domain/split";

/** The other services' actions the warehouse uses; each is idempotent, so a retry is safe. */
export interface WarehouseCalls {
  getSkus(skuIds: string[]): Promise<SkuInfo[]>;
  createWaybill(params: CreateWaybillParams): Promise<WaybillResult>;
  registerShipment(params: RegisterShipmentParams): Promise<ShipmentRecord>;
  tracking(packageIds: string[]): Promise<ShipmentRecord[]>;
  shipStock(params: ShipParams): Promise<unknown>;
  unreserveStock(params: UnreserveParams): Promise<unknown>;
  restock(params: RestockParams): Promise<RestockResult>;
  reserveStock(params: ReserveParams): Promise<ReserveResult>;
  deductStock(reservationId: string): Promise<DeductResult>;
}

/** The logger methods the commands use (Moleculer's logger fits). */
export interface WarehouseLogger {
  warn(...args: unknown[]): void;
}

/** What the warehouse commands work with; the service file wires it from its broker, pool and config. */
export interface WarehouseDeps {
  pool: Pool;
  rules: SplitRules;
  calls: WarehouseCalls;
  /** Called after a commit that recorded events, so the outbox relay publishes them at once. */
  committed(): void;
  logger: WarehouseLogger;
  now(): Date;
}
