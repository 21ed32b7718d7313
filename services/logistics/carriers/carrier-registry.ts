import type { Pool } from "pg";
import type { AppConfig } from "../../../shared/config/config";
import { CARRIERS, type Carrier } from "../../../shared/contracts/logistics.contract";
import { OmsError } from "../../../shared/errors";
import type { CallbackCourier } from "../../../shared/webhooks/callback-courier";
import { CAINIAO_FORMAT } from "./cainiao.format";
import type { CarrierAdapter, CarrierFormat } from "./carrier";
import { JD_FORMAT } from "./jd.format";
import { SandboxCarrier, type WebhookSender } from "./sandbox-carrier";
import { SF_FORMAT } from "./sf.format";
import { YTO_FORMAT } from "./yto.format";
import { ZTO_FORMAT } from "./zto.format";

export const CARRIER_FORMATS: Readonly<Record<Carrier, CarrierFormat>> = {
  SF: SF_FORMAT,
  ZTO: ZTO_FORMAT,
  YTO: YTO_FORMAT,
  JD: JD_FORMAT,
  CAINIAO: CAINIAO_FORMAT,
};

/** Each carrier's webhook key, from configuration only (never from a request). */
export function carrierSecrets(cfg: AppConfig): Record<Carrier, string> {
  return {
    SF: cfg.logisticsSfSecret,
    ZTO: cfg.logisticsZtoSecret,
    YTO: cfg.logisticsYtoSecret,
    JD: cfg.logisticsJdSecret,
    CAINIAO: cfg.logisticsCainiaoSecret,
  };
}

/** A carrier code from a request (any letter case); 422 CARRIER_UNKNOWN naming the field otherwise. */
export function carrierOf(value: unknown, field = "carrier"): Carrier {
  const code = typeof value === "string" ? value.trim().toUpperCase() : "";
  if (!(CARRIERS as readonly string[]).includes(code)) {
    throw new OmsError("CARRIER_UNKNOWN", `Unknown carrier; known: ${CARRIERS.join(", ")}`, {
      field,
      carrier: value,
      known: [...CARRIERS],
    });
  }
  return code as Carrier;
}

/** The carriers the service can issue waybills with, by code. */
export class CarrierRegistry {
  constructor(private readonly adapters: Partial<Record<Carrier, CarrierAdapter>>) {}

  /** The sandbox carriers for every code (LOGISTICS_SANDBOX=true). */
  static sandbox(
    secrets: Record<Carrier, string>,
    pool: Pool,
    courier: CallbackCourier,
    send: WebhookSender,
  ): CarrierRegistry {
    const later = (task: () => Promise<unknown>, delayMs: number) => courier.later(task, delayMs);
    const adapters = Object.fromEntries(
      CARRIERS.map((code) => [
        code,
        new SandboxCarrier(CARRIER_FORMATS[code], secrets[code], pool, later, send),
      ]),
    );
    return new CarrierRegistry(adapters);
  }

  /** The adapter of a carrier; 422 WAYBILL_UNAVAILABLE when none (sandbox off and no real adapter yet). */
  get(carrier: Carrier): CarrierAdapter {
    const adapter = this.adapters[carrier];
    if (!adapter) {
      throw new OmsError("WAYBILL_UNAVAILABLE", `Online waybills from ${carrier} are not available`, {
        carrier,
      });
    }
    return adapter;
  }

  /** The sandbox carrier of a code, or undefined when the sandbox is off. */
  sandbox(carrier: Carrier): SandboxCarrier | undefined {
    const adapter = this.adapters[carrier];
    return adapter instanceof SandboxCarrier ? adapter : undefined;
  }
}
