import { cleanupRun } from "./cleanup";

/** Removes everything this run created. */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.TEST_RUN_ID;
  if (runId) await cleanupRun(runId);
}
