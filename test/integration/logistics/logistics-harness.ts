import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import { CARRIER_FORMATS, carrierSecrets } from "../../../services/logistics/carriers/carrier-registry";
import type { CarrierEvent } from "../../../services/logistics/domain/carrier-event";
import type { LogisticsService } from "../../../services/logistics/logistics.service";
import { brokerOptions } from "../../../shared/broker-options";
import { withChannels } from "../../../shared/channels";
import { config, loadConfig } from "../../../shared/config/config";
import {
  type Carrier,
  LOGISTICS_CHANNELS,
  type LogisticsStatusChangedPayload,
} from "../../../shared/contracts/logistics.contract";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import { signBody } from "../../../shared/webhooks/signature";
import { restoreLogisticsEnv } from "./logistics-env";

const SERVICES = path.join(__dirname, "..", "..", "..", "services");

/** The logistics service (and the gateway when asked) with a watcher of its durable events. */
export interface LogisticsSystem {
  broker: ServiceBroker;
  baseUrl: string;
  pool: Pool;
  /** `logistics.status-changed` events delivered over the channel. */
  received: EventEnvelope<LogisticsStatusChangedPayload>[];
  call(action: string, params: object): Promise<any>;
  stop(): Promise<void>;
}

/** A test-only consumer of the logistics service's durable events. */
function statusWatcher(received: EventEnvelope<LogisticsStatusChangedPayload>[]) {
  return withChannels({
    name: "logistics-watch",
    channels: {
      [LOGISTICS_CHANNELS.statusChanged]: {
        group: "logistics-watch",
        async handler(envelope: EventEnvelope) {
          received.push(envelope as EventEnvelope<LogisticsStatusChangedPayload>);
        },
      },
    },
  });
}

export async function startLogisticsSystem(withGateway = false): Promise<LogisticsSystem> {
  const broker = new ServiceBroker(
    brokerOptions(loadConfig(), {
      nodeID: `logistics-test-${process.pid}-${Math.random().toString(36).slice(2, 7)}`,
      logger: process.env.TEST_LOGS ? undefined : false,
      skipProcessEventRegistration: true,
    }),
  );
  const received: EventEnvelope<LogisticsStatusChangedPayload>[] = [];
  broker.loadService(path.join(SERVICES, "logistics", "logistics.service.ts"));
  if (withGateway) broker.loadService(path.join(SERVICES, "gateway", "gateway.service.ts"));
  broker.createService(statusWatcher(received));
  await broker.start();
  let baseUrl = "";
  if (withGateway) {
    const gateway = broker.getLocalService("gateway") as unknown as { server: { address(): AddressInfo } };
    baseUrl = `http://127.0.0.1:${gateway.server.address().port}`;
  }
  const pool = (broker.getLocalService("logistics") as unknown as LogisticsService).pool;
  return {
    broker,
    baseUrl,
    pool,
    received,
    call: (action, params) => broker.call(action, params),
    stop: () => broker.stop(),
  };
}

/** A logistics system started before and stopped after the enclosing `describe`. */
export function useLogisticsSystem(withGateway = false): LogisticsSystem {
  // `call` exists before the system starts, so a test file can take it out of the returned object.
  const sys = {
    call: (action: string, params: object) => sys.broker.call(action, params),
  } as LogisticsSystem;
  beforeAll(async () => {
    const started = await startLogisticsSystem(withGateway);
    Object.assign(sys, { ...started, call: sys.call });
  });
  afterAll(async () => {
    await sys.stop?.();
    restoreLogisticsEnv();
  });
  return sys;
}

/** A fresh package id and order number. */
export const newPackage = () => {
  const id = randomUUID().slice(0, 8);
  return { packageId: `PKG-${id}`, orderNo: `ORD-${id}` };
};

export const ADDRESS = {
  name: "Li Lei",
  phone: "13800138000",
  province: "Zhejiang",
  city: "Hangzhou",
  district: "Xihu",
  detail: "1 Wensan Road",
};

/** An online waybill for a fresh package: the package, its carrier and the carrier's tracking number. */
export async function onlineWaybill(
  sys: Pick<LogisticsSystem, "call">,
  carrier: Carrier = "SF",
  weightGrams = 800,
) {
  const pkg = newPackage();
  const { trackingNo } = (await sys.call("logistics.createWaybill", {
    carrier,
    ...pkg,
    address: ADDRESS,
    weightGrams,
  })) as { trackingNo: string };
  return { ...pkg, carrier, trackingNo };
}

/** A tracking number of the carrier's shape that no earlier test used (typed in by a merchant). */
export function typedTrackingNo(carrier: Carrier): string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join("");
  switch (carrier) {
    case "SF":
      return `SF${digits(12)}`;
    case "ZTO":
      return `78${digits(12)}`;
    case "YTO":
      return `YT${digits(13)}`;
    case "JD":
      return `JD${digits(13)}`;
    case "CAINIAO":
      return `LP${digits(14)}`;
  }
}

/** The carrier's signature of a raw body with its configured key (a replay of stored bytes). */
export const signAs = (carrier: Carrier, rawBody: string) =>
  signBody(carrierSecrets(config)[carrier], rawBody);

/** A webhook written in the carrier's format and signed with its configured key (or another, to forge one). */
export function carrierWebhook(
  carrier: Carrier,
  event: Omit<CarrierEvent, "eventId"> & { eventId?: string },
  key = carrierSecrets(config)[carrier],
) {
  const rawBody = CARRIER_FORMATS[carrier].encode({ eventId: `EV-${randomUUID()}`, ...event });
  return { rawBody, signature: signBody(key, rawBody) };
}

/** Polls until `probe` holds. */
export async function eventually(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One number from a query. */
export async function count(pool: Pool, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await pool.query(sql, params);
  return Number(rows[0]?.n ?? 0);
}
