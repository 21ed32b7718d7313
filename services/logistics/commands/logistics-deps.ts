import type { Pool } from "pg";
import type { Carrier } from "../../../shared/contracts/logistics.contract";
import type { CarrierRegistry } from "../carriers/carrier-registry";

/** What the logistics commands work with; the service file wires it from its broker, pool and config. */
export interface LogisticsDeps {
  pool: Pool;
  carriers: CarrierRegistry;
  /** Each carrier's webhook key (configuration; an empty key refuses that carrier's webhooks). */
  secrets: Record<Carrier, string>;
  sandboxEnabled: boolean;
  /** Called after a commit that recorded events, so the outbox relay publishes them at once. */
  committed(): void;
  logger: { warn(...args: unknown[]): void };
}
