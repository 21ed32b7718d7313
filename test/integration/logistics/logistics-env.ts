/**
 * Gives the importing test file its own namespace, schema prefix and Redis prefix inside the run's,
 * so its logistics service (sandbox on or off) and its event watcher never meet another file's.
 * Import it FIRST: the configuration is read once, when first imported.
 */
const runId = process.env.TEST_RUN_ID ?? "local";
const subRun = `${runId}_log${Math.random().toString(36).slice(2, 8)}`;
const NAMES = ["NAMESPACE", "DB_SCHEMA_PREFIX", "REDIS_PREFIX", "LOGISTICS_SANDBOX"] as const;
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));

process.env.NAMESPACE = subRun;
process.env.DB_SCHEMA_PREFIX = `${subRun}_`;
process.env.REDIS_PREFIX = `${runId}:${subRun}:`;

/** Puts the variables back for the test files that run after this one in the same process. */
export function restoreLogisticsEnv(): void {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
}
