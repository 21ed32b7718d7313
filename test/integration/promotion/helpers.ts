import { randomBytes } from "node:crypto";
import type { Pool } from "pg";
import { loadConfig } from "../../../shared/config/config";
import type { Caller } from "../../../shared/contracts/caller";
import { createPool, schemaName } from "../../../shared/db/pool";
import type { TestSystem } from "../../support/system";

/** A short random tag that keeps this file's ids apart from other test files sharing the run's schema. */
export const tag = () => randomBytes(3).toString("hex");

export const ADMIN: Caller = { userId: "admin-1", role: "admin" };

/** Calls an action on this process's own broker (other test workers may run a promotion service too). */
export function callLocal<T = any>(system: TestSystem, action: string, params: object, user: Caller = ADMIN) {
  return system.broker.call<T, object>(action, params, { nodeID: system.broker.nodeID, meta: { user } });
}

/** A pool on the promotion schema of this run, to assert what the database holds. */
export const promotionPool = (): Pool => {
  const cfg = loadConfig();
  return createPool(cfg, schemaName(cfg, "promotion"));
};

/** The settled outcome's error type, or "OK". */
export const outcomeOf = (settled: PromiseSettledResult<unknown>) =>
  settled.status === "fulfilled" ? "OK" : ((settled.reason as { type?: string }).type ?? "UNKNOWN");
