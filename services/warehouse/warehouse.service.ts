import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { withChannels } from "../../shared/channels";
import { config } from "../../shared/config/config";
import { type Caller, callerOf } from "../../shared/contracts/caller";
import type {
  DeductResult,
  GetSkusResult,
  ReserveParams,
  ReserveResult,
  RestockParams,
  RestockResult,
  ShipParams,
  ShipResult,
  UnreserveParams,
  UnreserveResult,
} from "../../shared/contracts/inventory.contract";
import type {
  CreateWaybillParams,
  RegisterShipmentParams,
  ShipmentRecord,
  TrackingResult,
  WaybillResult,
} from "../../shared/contracts/logistics.contract";
import type { OrderAddressChangedPayload, OrderPaidPayload } from "../../shared/contracts/order.contract";
import {
  type CreateReplacementParams,
  type InterceptParams,
  type PackageInterceptedPayload,
  type PackageShippedPayload,
  type ReceiveReturnParams,
  WAREHOUSE_CHANNELS,
} from "../../shared/contracts/warehouse.contract";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import { type PersistentServiceVars, persistentService } from "../../shared/service/persistent-service.mixin";
import { type AdvanceTaskRequest, advanceTask } from "./commands/advance-task";
import {
  ADDRESS_GROUP,
  FULFILMENT_GROUP,
  onAddressChanged,
  PAID_BATCH_MAX,
  paidOrderConsumer,
} from "./commands/create-packages";
import { createReplacement } from "./commands/create-replacement";
import { interceptUnits } from "./commands/intercept-units";
import { packageOwner, packagesOf } from "./commands/package-views";
import { receiveReturn } from "./commands/receive-return";
import { shipPackage } from "./commands/ship-package";
import {
  onPackageIntercepted,
  onPackageShipped,
  STOCK_GROUP,
  UNRESERVE_GROUP,
} from "./commands/stock-movements";
import type { WarehouseDeps } from "./commands/warehouse-deps";
import type { ShipRequest } from "./domain/shipping-plan";
import { parseIncompatibleClasses } from "./domain/split";
import {
  ADVANCE_TASK_PARAMS,
  CREATE_REPLACEMENT_PARAMS,
  INTERCEPT_PARAMS,
  PACKAGE_ID_PARAMS,
  PACKAGES_OF_PARAMS,
  RECEIVE_RETURN_PARAMS,
  SHIP_PARAMS,
} from "./warehouse.params";

export interface WarehouseVars extends PersistentServiceVars {
  deps: WarehouseDeps;
  /** The `order.paid` consumer; this instance's deliveries in flight together are written together. */
  fulfilPaid(envelope: EventEnvelope<OrderPaidPayload>): Promise<void>;
}

type Ctx<P = Record<string, unknown>> = Context<P, { user?: Caller }>;

/**
 * Fulfilment after payment: packages, pick/pack/ship tasks, interception, returns received and exchange
 * replacements. Logic lives in commands/ and domain/.
 */
const warehouseService: ServiceSchema<
  ServiceSettingSchema,
  Record<string, never>,
  WarehouseVars
> = withChannels({
  name: "warehouse",
  mixins: [persistentService("warehouse")],

  actions: {
    /** POST /packages/{packageId}/tasks: print waybill, pick or pack (merchant of the shop, admin). */
    advanceTask: {
      params: ADVANCE_TASK_PARAMS,
      handler(ctx: Ctx<AdvanceTaskRequest>) {
        return advanceTask(this.deps, callerOf(ctx.meta), ctx.params);
      },
    },
    /** POST /packages/{packageId}/ship: hand the package over (merchant of the shop, admin). */
    ship: {
      params: SHIP_PARAMS,
      handler(ctx: Ctx<ShipRequest>) {
        return shipPackage(this.deps, callerOf(ctx.meta), ctx.params);
      },
    },
    /** RPC for the order service (which checked the caller): the order's packages with tracking. */
    packagesOf: {
      visibility: "public",
      params: PACKAGES_OF_PARAMS,
      handler(ctx: Ctx<{ orderNo: string }>) {
        return packagesOf(this.deps, ctx.params.orderNo);
      },
    },
    /** RPC: the order, shop and buyer a package belongs to, for access checks elsewhere. */
    packageOwner: {
      visibility: "public",
      params: PACKAGE_ID_PARAMS,
      handler(ctx: Ctx<{ packageId: string }>) {
        return packageOwner(this.deps, ctx.params.packageId);
      },
    },
    /** RPC: intercept units not yet handed over (a cancel approved before hand-over); see the contract. */
    intercept: {
      visibility: "public",
      params: INTERCEPT_PARAMS,
      handler(ctx: Ctx<InterceptParams>) {
        return interceptUnits(this.deps, ctx.params);
      },
    },
    /** RPC for the order service: a return arrived (退货入库); its units go back on hand, once per returnId. */
    receiveReturn: {
      visibility: "public",
      params: RECEIVE_RETURN_PARAMS,
      handler(ctx: Ctx<ReceiveReturnParams>) {
        return receiveReturn(this.deps, ctx.params);
      },
    },
    /** RPC for the order service: an exchange's replacement packages (换货出库), once per afterSalesNo. */
    createReplacement: {
      visibility: "public",
      params: CREATE_REPLACEMENT_PARAMS,
      handler(ctx: Ctx<CreateReplacementParams>) {
        return createReplacement(this.deps, ctx.params);
      },
    },
  },

  channels: {
    /** A child order is paid: split it into packages; events in flight together are written together. */
    "order.paid": {
      group: FULFILMENT_GROUP,
      maxInFlight: PAID_BATCH_MAX,
      handler(envelope: EventEnvelope) {
        return this.fulfilPaid(envelope as EventEnvelope<OrderPaidPayload>);
      },
    },
    /** The receiver changed: waybills use the newest. */
    "order.address-changed": {
      group: ADDRESS_GROUP,
      handler(envelope: EventEnvelope) {
        return onAddressChanged(this.deps, envelope as EventEnvelope<OrderAddressChangedPayload>);
      },
    },
    /** Our own hand-over: the units leave the warehouse's stock. */
    [WAREHOUSE_CHANNELS.shipped]: {
      group: STOCK_GROUP,
      handler(envelope: EventEnvelope) {
        return onPackageShipped(this.deps, envelope as EventEnvelope<PackageShippedPayload>);
      },
    },
    /** Our own interception: the units go back to available stock. */
    [WAREHOUSE_CHANNELS.intercepted]: {
      group: UNRESERVE_GROUP,
      handler(envelope: EventEnvelope) {
        return onPackageIntercepted(this.deps, envelope as EventEnvelope<PackageInterceptedPayload>);
      },
    },
  },

  started() {
    const call = <T>(action: string, params: object) => this.broker.call<T, object>(action, params);
    this.deps = {
      pool: this.pool,
      rules: {
        highValueMinor: config.warehouseHighValueMinor,
        maxPackageGrams: config.warehouseMaxPackageGrams,
        maxPackageCm3: config.warehouseMaxPackageCm3,
        incompatible: parseIncompatibleClasses(config.warehouseIncompatibleClasses),
      },
      calls: {
        getSkus: async (skuIds) => (await call<GetSkusResult>("inventory.getSkus", { skuIds })).items,
        createWaybill: (params: CreateWaybillParams) =>
          call<WaybillResult>("logistics.createWaybill", params),
        registerShipment: (params: RegisterShipmentParams) =>
          call<ShipmentRecord>("logistics.registerShipment", params),
        tracking: async (packageIds) =>
          (await call<TrackingResult>("logistics.tracking", { packageIds })).items,
        shipStock: (params: ShipParams) => call<ShipResult>("inventory.ship", params),
        unreserveStock: (params: UnreserveParams) => call<UnreserveResult>("inventory.unreserve", params),
        restock: (params: RestockParams) => call<RestockResult>("inventory.restock", params),
        reserveStock: (params: ReserveParams) => call<ReserveResult>("inventory.reserve", params),
        deductStock: (reservationId: string) => call<DeductResult>("inventory.deduct", { reservationId }),
      },
      committed: () => this.relay.kick(),
      logger: this.logger,
      now: () => new Date(),
    };
    this.fulfilPaid = paidOrderConsumer(this.deps);
  },
});

export default warehouseService;

/** The service instance, for tests that look at its pool. */
export type WarehouseService = Service & WarehouseVars;
