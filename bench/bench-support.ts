import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { cleanupRun } from "../test/support/cleanup";
import { request } from "../test/support/http";
import { freePort, spawnSystem } from "../test/support/processes";
import { waitFor } from "../test/support/system";
import { BENCH_RUN_ID } from "./bench-env";

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

/** Peak resident memory (VmHWM) of a process, in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** The system under test: its gateway and the pids of its processes. */
export interface BenchSystem {
  baseUrl: string;
  pids: number[];
}

/**
 * Starts the system the way `npm start` does, in its own process(es) (the
 * load generator must not share their event loop), with this run's own
 * schemas, keys and streams; removes them afterwards. `layout` lists the
 * SERVICES of each process; the first must hold the gateway.
 */
export async function withSystem(
  run: (system: BenchSystem) => Promise<void>,
  layout: string[] = [""],
): Promise<void> {
  const port = await freePort();
  const processes = layout.map((services, i) => spawnSystem(services, i === 0 ? { PORT: String(port) } : {}));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "the system to be ready",
      async () => (await request(baseUrl, "GET", "/ready")).status === 200,
      60_000,
    );
    await run({ baseUrl, pids: processes.map((p) => p.child.pid ?? 0) });
  } catch (err) {
    for (const p of processes) console.error(p.output().slice(-4000));
    throw err;
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await cleanupRun(BENCH_RUN_ID);
  }
}
