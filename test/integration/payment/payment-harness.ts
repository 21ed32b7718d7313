import type { AddressInfo } from "node:net";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import type { NoticeContent, ProviderNotice } from "../../../services/payment/domain/notice";
import type { PaymentService } from "../../../services/payment/payment.service";
import { PROVIDER_FORMATS, providerSecrets } from "../../../services/payment/providers/provider-registry";
import { brokerOptions } from "../../../shared/broker-options";
import { config, loadConfig } from "../../../shared/config/config";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { signBody } from "../../../shared/webhooks/signature";
import { CheckoutBook, orderDouble } from "./order-double";
import { restorePaymentEnv } from "./payment-env";

const SERVICES = path.join(__dirname, "..", "..", "..", "services");

/** The payment service (and the gateway when asked) with a stand-in order service, on the real NATS, PostgreSQL and Redis. */
export interface PaymentSystem {
  broker: ServiceBroker;
  baseUrl: string;
  pool: Pool;
  book: CheckoutBook;
  stop(): Promise<void>;
}

export async function startPaymentSystem(withGateway = false): Promise<PaymentSystem> {
  const broker = new ServiceBroker(
    brokerOptions(loadConfig(), {
      nodeID: `payment-test-${process.pid}-${Math.random().toString(36).slice(2, 7)}`,
      logger: process.env.TEST_LOGS ? undefined : false,
      skipProcessEventRegistration: true,
    }),
  );
  const book = new CheckoutBook();
  broker.loadService(path.join(SERVICES, "payment", "payment.service.ts"));
  if (withGateway) broker.loadService(path.join(SERVICES, "gateway", "gateway.service.ts"));
  broker.createService(orderDouble(book));
  await broker.start();
  let baseUrl = "";
  if (withGateway) {
    const gateway = broker.getLocalService("gateway") as unknown as { server: { address(): AddressInfo } };
    baseUrl = `http://127.0.0.1:${gateway.server.address().port}`;
  }
  const pool = (broker.getLocalService("payment") as unknown as PaymentService).pool;
  return { broker, baseUrl, pool, book, stop: () => broker.stop() };
}

/** A payment system started before and stopped after the enclosing `describe`, with `call` for broker calls. */
export function usePaymentSystem(): PaymentSystem & {
  call(action: string, params: object, opts?: object): Promise<any>;
} {
  const sys = {
    call: (action: string, params: object, opts?: object) => sys.broker.call(action, params, opts),
  } as PaymentSystem & { call(action: string, params: object, opts?: object): Promise<any> };
  beforeAll(async () => {
    Object.assign(sys, await startPaymentSystem());
  });
  afterAll(async () => {
    await sys.stop?.();
    restorePaymentEnv();
  });
  return sys;
}

/** A buyer's caller meta for broker calls (what the gateway would put in ctx.meta). */
export const buyer = (userId: string) => ({ meta: { user: { userId, role: "buyer" as const } } });

/** The provider's signature of a raw body with its configured key (a replay of stored bytes). */
export const signAs = (method: PaymentMethod, rawBody: string) =>
  signBody(providerSecrets(config)[method], rawBody);

/** A document signed the way the provider signs, with the configured key (or another, to forge one). */
export function providerDocument(
  method: PaymentMethod,
  content: NoticeContent,
  key = providerSecrets(config)[method],
) {
  const format = PROVIDER_FORMATS[method];
  const notice = { ...content, notificationId: format.notificationId(content) } as ProviderNotice;
  const rawBody = format.encode(notice);
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
