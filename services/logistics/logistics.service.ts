import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { withChannels } from "../../shared/channels";
import { config } from "../../shared/config/config";
import type {
  CancelWaybillParams,
  Carrier,
  CreateWaybillParams,
  RegisterShipmentParams,
  TrackingParams,
} from "../../shared/contracts/logistics.contract";
import {
  type PackageInterceptedPayload,
  WAREHOUSE_CHANNELS,
} from "../../shared/contracts/warehouse.contract";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import { type PersistentServiceVars, persistentService } from "../../shared/service/persistent-service.mixin";
import { CallbackCourier } from "../../shared/webhooks/callback-courier";
import type { SignedDocument } from "./carriers/carrier";
import { CarrierRegistry, carrierSecrets } from "./carriers/carrier-registry";
import { cancelWaybill } from "./commands/cancel-waybill";
import { createWaybill } from "./commands/create-waybill";
import { handleCarrierWebhook } from "./commands/handle-webhook";
import {
  onPackageIntercepted,
  WAYBILL_CANCEL_GROUP,
  WAYBILL_CANCEL_RETRIES,
} from "./commands/intercepted-waybills";
import type { LogisticsDeps } from "./commands/logistics-deps";
import { registerShipment } from "./commands/register-shipment";
import { type SandboxEventParams, sandboxEvent } from "./commands/sandbox-event";
import {
  CALLBACK_PARAMS,
  CANCEL_WAYBILL_PARAMS,
  CREATE_WAYBILL_PARAMS,
  REGISTER_SHIPMENT_PARAMS,
  SANDBOX_EVENT_PARAMS,
  TRACKING_PARAMS,
} from "./logistics.params";
import { trackShipments } from "./logistics-queries";

export interface LogisticsVars extends PersistentServiceVars {
  courier: CallbackCourier;
  deps: LogisticsDeps;
}

/** What the gateway passes for a signed webhook: the exact body and its X-Signature header. */
type Meta = { rawBody?: string; signature?: string };
type Ctx<P> = Context<P, Meta>;
type CallbackParams = { carrier: string; rawBody?: string; signature?: string };

/**
 * Carriers, waybills and tracking events: online waybills (issued, and cancelled for intercepted packages),
 * shipment registration, signed carrier webhooks.
 */
const logisticsService: ServiceSchema<
  ServiceSettingSchema,
  Record<string, never>,
  LogisticsVars
> = withChannels({
  name: "logistics",
  mixins: [persistentService("logistics")],

  actions: {
    /** An online waybill from the carrier for a package (WaybillResult); idempotent per package. Internal. */
    createWaybill: {
      visibility: "public",
      params: CREATE_WAYBILL_PARAMS,
      handler(ctx: Ctx<CreateWaybillParams>) {
        return createWaybill(this.deps, ctx.params);
      },
    },
    /** Binds a tracking number to a package at hand-over (ShipmentRecord); idempotent per package. Internal. */
    registerShipment: {
      visibility: "public",
      params: REGISTER_SHIPMENT_PARAMS,
      handler(ctx: Ctx<RegisterShipmentParams>) {
        return registerShipment(this.deps, ctx.params);
      },
    },
    /** Cancels a package's online waybill at the carrier (ShipmentRecord); idempotent. Internal. */
    cancelWaybill: {
      visibility: "public",
      params: CANCEL_WAYBILL_PARAMS,
      handler(ctx: Ctx<CancelWaybillParams>) {
        return cancelWaybill(this.deps, ctx.params);
      },
    },
    /** The shipments of packages with their tracking events (TrackingResult). Internal. */
    tracking: {
      visibility: "public",
      params: TRACKING_PARAMS,
      handler(ctx: Ctx<TrackingParams>) {
        return trackShipments(this.pool, ctx.params.packageIds);
      },
    },
    /** POST /logistics/callbacks/{carrier}: a carrier's signed tracking webhook (public route). */
    callback: {
      params: CALLBACK_PARAMS,
      handler(ctx: Ctx<CallbackParams>) {
        return handleCarrierWebhook(this.deps, ctx.params.carrier, {
          rawBody: ctx.meta.rawBody ?? ctx.params.rawBody,
          signature: ctx.meta.signature ?? ctx.params.signature,
        });
      },
    },
    /** POST /sandbox/carriers/{carrier}/waybills/{trackingNo}/events: the sandbox carrier sends a webhook. */
    sandboxEvent: {
      params: SANDBOX_EVENT_PARAMS,
      handler(ctx: Ctx<SandboxEventParams>) {
        return sandboxEvent(this.deps, ctx.params);
      },
    },
  },

  channels: {
    /** The warehouse intercepted packages: the online waybills of those left empty are cancelled. */
    [WAREHOUSE_CHANNELS.intercepted]: {
      group: WAYBILL_CANCEL_GROUP,
      ...WAYBILL_CANCEL_RETRIES,
      handler(envelope: EventEnvelope) {
        return onPackageIntercepted(this.deps, envelope as EventEnvelope<PackageInterceptedPayload>);
      },
    },
  },

  async started() {
    const secrets = carrierSecrets(config);
    for (const [carrier, secret] of Object.entries(secrets)) {
      if (secret === "") this.logger.warn(`No webhook key for ${carrier}: its tracking webhooks are refused`);
    }
    this.courier = new CallbackCourier((err) => this.logger.warn("sandbox webhook failed", err));
    // The sandbox reaches the callback action through the broker, with the raw body and signature it made.
    const send = (carrier: Carrier, doc: SignedDocument) =>
      this.broker.call("logistics.callback", { carrier, ...doc }).catch((err: Error & { type?: string }) => {
        this.logger.warn("sandbox webhook refused", { carrier, error: err.type ?? err.message });
        return { error: err.type ?? err.message };
      });
    this.deps = {
      pool: this.pool,
      carriers: config.logisticsSandbox
        ? CarrierRegistry.sandbox(secrets, this.pool, this.courier, send)
        : new CarrierRegistry({}),
      secrets,
      sandboxEnabled: config.logisticsSandbox,
      committed: () => this.relay.kick(),
      logger: this.logger,
    };
  },

  async stopped() {
    await this.courier?.stop();
  },
});

export default logisticsService;

/** The service instance, for tests that look at its pool. */
export type LogisticsService = Service & LogisticsVars;
