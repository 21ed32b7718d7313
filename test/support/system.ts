import type { AddressInfo } from "node:net";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { brokerOptions } from "../../shared/broker-options";
import { loadConfig } from "../../shared/config/config";
import { SERVICE_NAMES, type ServiceName } from "../../shared/service-names";
import { CatalogBuilder } from "./catalog";

/** A running set of services in this process, with the gateway's base URL when it runs. */
export interface TestSystem {
  broker: ServiceBroker;
  baseUrl: string;
  stop(): Promise<void>;
}

let nodeCounter = 0;

/** Starts the named services (default all) on a real broker over NATS, PostgreSQL and Redis. */
export async function startSystem(names: readonly ServiceName[] = SERVICE_NAMES): Promise<TestSystem> {
  const broker = new ServiceBroker(
    brokerOptions(loadConfig(), {
      nodeID: `test-${process.pid}-${++nodeCounter}`,
      logger: process.env.TEST_LOGS ? undefined : false,
      skipProcessEventRegistration: true,
    }),
  );
  for (const name of names)
    broker.loadService(path.join(__dirname, "..", "..", "services", name, `${name}.service.ts`));
  await broker.start();
  let baseUrl = "";
  if (names.includes("gateway")) {
    const gateway = broker.getLocalService("gateway") as unknown as { server: { address(): AddressInfo } };
    baseUrl = `http://127.0.0.1:${gateway.server.address().port}`;
  }
  return { broker, baseUrl, stop: () => broker.stop() };
}

/** A suite's running system (every service), its gateway's URL and a catalog builder on it. */
export interface SuiteSystem {
  system: TestSystem;
  url: string;
  catalog: CatalogBuilder;
  /** A local service instance, e.g. `suite.service<OrderService>("order")`. */
  service<T>(name: ServiceName): T;
}

/**
 * Starts every service and a catalog builder before the suite's tests (`beforeAll`) and stops
 * them after (`afterAll`); read the fields inside hooks and tests, once they are set.
 */
export function useSystem(): SuiteSystem {
  const suite = {
    service: <T>(name: ServiceName) => suite.system.broker.getLocalService(name) as unknown as T,
  } as SuiteSystem;
  beforeAll(async () => {
    suite.system = await startSystem();
    suite.url = suite.system.baseUrl;
    suite.catalog = await CatalogBuilder.create(suite.url);
  });
  afterAll(() => suite.system.stop());
  return suite;
}

/** Waits until `probe` returns true, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
