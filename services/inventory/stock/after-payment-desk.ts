import type Redis from "ioredis";
import type { Pool } from "pg";
import type {
  RestockParams,
  RestockResult,
  ShipParams,
  ShipResult,
  StockUnits,
  UnreserveParams,
  UnreserveResult,
} from "../../../shared/contracts/inventory.contract";
import { OmsError } from "../../../shared/errors";
import type { CatalogCache } from "../catalog/catalog-cache";
import { compareUnits } from "../domain/reservation-fold";
import { assertDistinctSkus } from "../domain/reserve-plan";
import { findRestocks } from "../store/ledger.repo";
import { unitsFromStored } from "./reservation-codec";
import { parseReply } from "./script-reply";
import { runScript, type ScriptRunOptions } from "./script-run";
import { CLOSED_RESERVATION_TTL_S, type StockKeys } from "./stock-keys";
import type { StockScripts } from "./stock-scripts";

/** What the after-payment desk needs; the pool answers restocks older than their Redis marker. */
export interface AfterPaymentDeskDeps extends ScriptRunOptions {
  redis: Redis;
  scripts: StockScripts;
  keys: StockKeys;
  catalog: CatalogCache;
  pool: Pool;
}

/** A script's answer: the units it took or added, as stored (`[[skuId, warehouseId, quantity]...]`). */
type UnitsReply = { units: unknown };
const unitsOf = (reply: UnitsReply) => unitsFromStored(reply.units);

/**
 * Stock after payment: a paid reservation's units leave the warehouse when a
 * package ships, go back to available stock when they will not ship, and
 * returned goods come back into on-hand. Each call is one Lua script, all
 * lines or none, idempotent per shipment, release or return id.
 */
export class AfterPaymentDesk {
  constructor(private readonly d: AfterPaymentDeskDeps) {}

  /** A package was handed over: on-hand and reserved fall by its units (see the contract's `inventory.ship`). */
  async ship(params: ShipParams): Promise<ShipResult> {
    const lines = await this.letGo("SHIP", params.reservationId, params.shipmentId, params.lines);
    return { reservationId: params.reservationId, shipmentId: params.shipmentId, lines };
  }

  /** Paid units that will not ship go back to available stock and stop counting toward the purchase limit. */
  async unreserve(params: UnreserveParams): Promise<UnreserveResult> {
    const lines = await this.letGo("UNRESERVE", params.reservationId, params.releaseId, params.lines);
    return { reservationId: params.reservationId, releaseId: params.releaseId, lines };
  }

  // One script for both: per line the stock hash and the buyer's limit counter (only UNRESERVE moves it).
  private async letGo(kind: "SHIP" | "UNRESERVE", reservationId: string, id: string, units: StockUnits[]) {
    assertDistinctSkus(units);
    const { keys, scripts, redis } = this.d;
    const event = kind === "SHIP" ? "ship" : "unreserve";
    const reply = await this.run(
      async () => {
        // The limit keys name the buyer; the script checks it is still the record's (else STALE, read again).
        const buyerId = (await redis.hget(keys.reservation(reservationId), "buyer")) ?? "";
        const scriptKeys = [keys.reservation(reservationId), keys.ledger, keys.built];
        const args: (string | number)[] = [
          kind,
          reservationId,
          id,
          CLOSED_RESERVATION_TTL_S,
          buyerId,
          units.length,
        ];
        for (const l of units) {
          scriptKeys.push(keys.stock(l.skuId), keys.limit(l.skuId, buyerId));
          args.push(l.skuId, l.quantity);
        }
        return scripts.letGo(scriptKeys, args);
      },
      reservationId,
      event,
    );
    return unitsOf(reply);
  }

  /** Returned goods received: on-hand rises once per return, also when a repeat comes after the marker expired. */
  async restock(params: RestockParams): Promise<RestockResult> {
    assertDistinctSkus(params.lines);
    await this.assertKnown(params.lines);
    const { keys, scripts } = this.d;
    const movementIds = params.lines.map((l) => `restock:${params.returnId}:${l.skuId}:${l.warehouseId}`);
    // The Redis marker answers repeats for 7 days; after that the ledger still knows the return.
    const recorded = await findRestocks(this.d.pool, movementIds);
    if (recorded.length > 0) return { returnId: params.returnId, lines: recorded.sort(compareUnits) };
    const scriptKeys = [keys.restock(params.returnId), keys.ledger, keys.built];
    const args: (string | number)[] = [params.returnId, CLOSED_RESERVATION_TTL_S, params.lines.length];
    for (const l of params.lines) {
      scriptKeys.push(keys.stock(l.skuId));
      args.push(l.skuId, l.warehouseId, l.quantity);
    }
    const reply = await this.run(() => scripts.restock(scriptKeys, args));
    return { returnId: params.returnId, lines: unitsOf(reply) };
  }

  /** Every SKU and warehouse must exist (a cache miss is read again: another pod may just have created it). */
  private async assertKnown(lines: readonly (StockUnits & { warehouseId: string })[]): Promise<void> {
    const { catalog } = this.d;
    const skuIds = lines.map((l) => l.skuId);
    let skus = await catalog.skus(skuIds);
    if (skus.size < new Set(skuIds).size) {
      for (const skuId of skuIds) if (!skus.has(skuId)) catalog.forgetSku(skuId);
      skus = await catalog.skus(skuIds);
    }
    const missingSku = skuIds.find((skuId) => !skus.has(skuId));
    if (missingSku)
      throw new OmsError("SKU_NOT_FOUND", `SKU ${missingSku} does not exist`, { skuId: missingSku });
    const known = async () => new Set((await catalog.warehouses()).map((w) => w.warehouseId));
    let warehouses = await known();
    if (lines.some((l) => !warehouses.has(l.warehouseId))) {
      catalog.forgetWarehouses();
      warehouses = await known();
    }
    const missing = lines.find((l) => !warehouses.has(l.warehouseId));
    if (missing)
      throw new OmsError("WAREHOUSE_NOT_FOUND", `Warehouse ${missing.warehouseId} does not exist`, {
        warehouseId: missing.warehouseId,
      });
  }

  private run(call: () => Promise<string>, reservationId?: string, event?: string): Promise<UnitsReply> {
    return runScript(this.d, call, (raw) => parseReply<UnitsReply>(raw, reservationId, event));
  }
}
