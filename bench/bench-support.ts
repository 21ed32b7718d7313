import autocannon from "autocannon";
import { cleanupRun } from "../test/support/cleanup";
import { startSystem, type TestSystem } from "../test/support/system";
import { BENCH_RUN_ID } from "./bench-env";

/** Samples this process's RSS until stopped; returns the peak in MB. */
export function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
    },
  };
}

/** One autocannon run's figures. */
export interface LoadFigures {
  requests: number;
  ok: number;
  non2xx: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs autocannon against the gateway and returns the figures that matter here. */
export async function load(opts: autocannon.Options): Promise<LoadFigures> {
  const result = await autocannon({ ...opts });
  const ok = result["2xx"];
  return {
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    perSecond: Math.round((ok / result.duration) * 10) / 10,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** Starts the whole system in this process for a benchmark and removes its data afterwards. */
export async function withSystem(run: (system: TestSystem) => Promise<void>): Promise<void> {
  const system = await startSystem();
  try {
    await run(system);
  } finally {
    await system.stop();
    await cleanupRun(BENCH_RUN_ID);
  }
}
