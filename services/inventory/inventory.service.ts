import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { config } from "../../shared/config/config";
import { type Caller, callerOf } from "../../shared/contracts/caller";
import type {
  DeductParams,
  GetSkusParams,
  ReleaseParams,
  ReserveParams,
  RestockParams,
  ShipParams,
  UnreserveParams,
} from "../../shared/contracts/inventory.contract";
import { type PersistentServiceVars, persistentService } from "../../shared/service/persistent-service.mixin";
import { createTimers, type Timers } from "../../shared/timers/timers";
import { assertAdmin, type NewSku } from "./catalog/catalog-desk";
import * as P from "./inventory.params";
import { type CatalogChange, type Inventory, wireInventory } from "./inventory.wiring";
import { checkStock } from "./ledger/stock-check";
import type { SkuPatch, Warehouse } from "./store/catalog.repo";
import { readStockChecks, type StockCheck } from "./store/stock-check.repo";

interface InventoryVars extends PersistentServiceVars, Inventory {
  rebuilding?: Promise<unknown>;
  lastBuildCheck: number;
  timers: Timers;
}
interface InventoryMethods {
  ensureBuilt(): Promise<unknown>;
  checkStock(): Promise<StockCheck>;
}
type Ctx<P = unknown> = Context<P, { user?: Caller }>;

/** Broadcast to every inventory pod when the catalog changes, so their caches drop the entry. */
const CATALOG_CHANGED = "inventory.catalogChanged";

/** SKU master, stock per warehouse, Redis reservations and the movement ledger. */
const inventoryService: ServiceSchema<ServiceSettingSchema, InventoryMethods, InventoryVars> = {
  name: "inventory",
  mixins: [persistentService("inventory")],

  actions: {
    /** `POST /warehouses` (admin). */
    createWarehouse: {
      params: P.CREATE_WAREHOUSE,
      handler(ctx: Ctx<Omit<Warehouse, "createdAt">>) {
        const { warehouseId, name, provinces } = ctx.params;
        return this.catalog.createWarehouse(callerOf(ctx.meta), { warehouseId, name, provinces });
      },
    },
    /** `GET /warehouses`. */
    listWarehouses: {
      handler() {
        return this.catalog.listWarehouses().then((items) => ({ items }));
      },
    },
    /** `POST /skus` (merchant for its shop, admin). */
    createSku: {
      params: P.CREATE_SKU,
      handler(ctx: Ctx<NewSku>) {
        return this.catalog.createSku(callerOf(ctx.meta), ctx.params);
      },
    },
    /** `PATCH /skus/:skuId`. */
    updateSku: {
      params: P.UPDATE_SKU,
      handler(ctx: Ctx<SkuPatch & { skuId: string }>) {
        const { skuId, onSale, priceMinor, declaredValueMinor, purchaseLimitPerUser, deductionStrategy } =
          ctx.params;
        const patch = { onSale, priceMinor, declaredValueMinor, purchaseLimitPerUser, deductionStrategy };
        return this.catalog.updateSku(callerOf(ctx.meta), skuId, patch);
      },
    },
    /** `GET /skus/:skuId` with live stock. */
    getSku: {
      params: P.SKU_ID,
      handler(ctx: Ctx<{ skuId: string }>) {
        return this.catalog.getSku(callerOf(ctx.meta), ctx.params.skuId);
      },
    },
    /** `PUT /skus/:skuId/stock/:warehouseId`: sets on-hand, an ADJUST movement. */
    setStock: {
      params: P.SET_STOCK,
      handler(ctx: Ctx<{ skuId: string; warehouseId: string; onHand: number; safetyStock?: number }>) {
        return this.catalog.setStock(callerOf(ctx.meta), ctx.params);
      },
    },
    /** `POST /admin/inventory/rebuild`: Redis counters from the PostgreSQL ledger. */
    rebuild: {
      handler(ctx: Ctx) {
        assertAdmin(callerOf(ctx.meta));
        return this.rebuilder.rebuild();
      },
    },
    /** `GET /admin/inventory/reconcile`: every drift between Redis and PostgreSQL. */
    reconcile: {
      handler(ctx: Ctx) {
        assertAdmin(callerOf(ctx.meta));
        return this.rebuilder.reconcile();
      },
    },
    /** `POST /admin/inventory/checks`: a stock check now, recorded like the periodic ones. */
    checkStock: {
      handler(ctx: Ctx) {
        assertAdmin(callerOf(ctx.meta));
        return this.checkStock();
      },
    },
    /** `GET /admin/inventory/checks`: the stock checks, newest first. */
    stockChecks: {
      params: P.STOCK_CHECKS,
      handler(ctx: Ctx<{ limit?: number; cursor?: string }>) {
        assertAdmin(callerOf(ctx.meta));
        return readStockChecks(this.pool, { limit: ctx.params.limit ?? 20, cursor: ctx.params.cursor });
      },
    },

    /** RPC: the SKUs that exist among `skuIds`. */
    getSkus: {
      params: P.GET_SKUS,
      async handler(ctx: Ctx<GetSkusParams>) {
        return { items: [...(await this.cache.skus(ctx.params.skuIds)).values()] };
      },
    },
    /** RPC: reserve or check every line, all or nothing (see the contract). */
    reserve: {
      params: P.RESERVE,
      handler(ctx: Ctx<ReserveParams>) {
        return this.stock.reserve(ctx.params);
      },
    },
    /** RPC: release a reservation; idempotent. */
    release: {
      params: P.RELEASE,
      handler(ctx: Ctx<ReleaseParams>) {
        return this.stock.release(ctx.params);
      },
    },
    /** RPC: deduct a reservation when payment succeeded; idempotent, all or nothing. */
    deduct: {
      params: P.RESERVATION_ID,
      handler(ctx: Ctx<DeductParams>) {
        return this.stock.deduct(ctx.params.reservationId);
      },
    },
    /** RPC: would `deduct` succeed now? (the re-check before a payment starts); changes nothing. */
    verify: {
      params: P.RESERVATION_ID,
      handler(ctx: Ctx<DeductParams>) {
        return this.stock.deduct(ctx.params.reservationId, true);
      },
    },
    /** RPC: a package was handed over; its units leave on-hand and reserved. Idempotent per shipment. */
    ship: {
      visibility: "public",
      params: P.SHIP,
      handler(ctx: Ctx<ShipParams>) {
        return this.afterPayment.ship(ctx.params);
      },
    },
    /** RPC: paid units that will not ship go back to available stock and the purchase limit. Idempotent per release. */
    unreserve: {
      visibility: "public",
      params: P.UNRESERVE,
      handler(ctx: Ctx<UnreserveParams>) {
        return this.afterPayment.unreserve(ctx.params);
      },
    },
    /** RPC: returned goods received back into warehouses (on-hand rises). Idempotent per return. */
    restock: {
      visibility: "public",
      params: P.RESTOCK,
      handler(ctx: Ctx<RestockParams>) {
        return this.afterPayment.restock(ctx.params);
      },
    },
    /** Waits until every movement so far is in the PostgreSQL ledger (tests, operations). */
    drainLedger: {
      params: { timeoutMs: { type: "number", integer: true, min: 1, max: 600_000, optional: true } },
      async handler(ctx: Ctx<{ timeoutMs?: number }>) {
        await this.writer.drain(ctx.params.timeoutMs);
        return { drained: true };
      },
    },
  },

  events: {
    [CATALOG_CHANGED]: {
      handler(ctx: Context<CatalogChange>) {
        if (ctx.params.skuId) this.cache.forgetSku(ctx.params.skuId);
        if (ctx.params.warehouses) this.cache.forgetWarehouses();
      },
    },
  },

  methods: {
    /** A stock check; new drift, or its end, is announced (`inventory.drifted`, `inventory.drift-cleared`) and logged. */
    async checkStock() {
      const check = await checkStock(this);
      if (check.announced) {
        this.relay.kick();
        if (check.ok) this.logger.info("the stock check found the drift cleared", { checkId: check.checkId });
        else
          this.logger.warn("the stock check found new drift", {
            checkId: check.checkId,
            byKind: check.byKind,
          });
      }
      return check;
    },

    /** Rebuilds when Redis lost its counters: one check at a time per pod, at most one a second; the lock makes one rebuild per system. */
    ensureBuilt() {
      if (!this.rebuilding && Date.now() - (this.lastBuildCheck ?? 0) < 1000) return Promise.resolve();
      this.rebuilding ??= (async () => {
        if (await this.rebuilder.needsRebuild()) {
          const report = await this.rebuilder.rebuild({ waitIfRunning: true });
          if (report) this.logger.warn("stock counters rebuilt from the ledger", report);
        }
      })().finally(() => {
        this.rebuilding = undefined;
        this.lastBuildCheck = Date.now();
      });
      return this.rebuilding;
    },
  },

  async started() {
    Object.assign(
      this,
      wireInventory({
        pool: this.pool,
        nodeID: this.broker.nodeID,
        logger: this.logger,
        broadcast: (change: CatalogChange) => void this.broker.broadcast(CATALOG_CHANGED, change),
        onNotReady: () => void this.ensureBuilt().catch((err) => this.logger.error("rebuild failed", err)),
      }),
    );
    this.writer.start();
    this.lastBuildCheck = 0;
    await this.ensureBuilt();
    this.timers = createTimers(config, "inventory-timers", { logger: this.logger });
    await this.timers.every("stock-check", config.inventoryCheckEveryMs, async () => {
      await this.checkStock();
    });
    await this.timers.start();
  },

  async stopped() {
    await this.timers?.stop();
    await this.writer?.stop();
    this.redis?.disconnect();
    this.blocking?.disconnect();
  },
};

export default inventoryService;
