import { readdirSync, readFileSync } from "node:fs";
import autocannon from "autocannon";
import { connect } from "nats";
import { Client } from "pg";
import { loadConfig } from "../shared/config/config";
import { createRedis } from "../shared/redis";
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

// Kernel clock ticks per second, in which /proc/<pid>/stat counts CPU time (100 on Linux x86_64).
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the parenthesised command name: state is the 1st, utime the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function processesNamed(names: string[]): Map<string, number[]> {
  const found = new Map<string, number[]>(names.map((n) => [n, []]));
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      found.get(name)?.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

const BACKING_SERVICES = ["postgres", "nats-server", "redis-server"];

/**
 * Where the machine's CPU went during a stretch of load, per unit of work: the system's
 * processes, PostgreSQL (all its backends), NATS, Redis, and this load generator. On a machine
 * running nothing else, this is the whole CPU cost of an order.
 */
export class CpuMeter {
  private start = new Map<string, number>();

  constructor(private readonly systemPids: number[]) {
    this.start = this.read();
  }

  private read(): Map<string, number> {
    const totals = new Map<string, number>();
    const sum = (pids: number[]) => pids.reduce((s, pid) => s + cpuSecondsOf(pid), 0);
    totals.set("system", sum(this.systemPids));
    for (const [name, pids] of processesNamed(BACKING_SERVICES)) totals.set(name, sum(pids));
    const self = process.cpuUsage();
    totals.set("load generator", (self.user + self.system) / 1e6);
    return totals;
  }

  /** CPU milliseconds per unit since construction, e.g. "system 9.1, postgres 7.9, ... = 19.3 ms". */
  perUnit(units: number): string {
    const now = this.read();
    // PostgreSQL backends that ended meanwhile are missed; the pools keep theirs for the whole run.
    const parts = [...now].map(
      ([name, total]) => [name, ((total - (this.start.get(name) ?? 0)) * 1000) / units] as const,
    );
    const sum = parts.reduce((s, [, ms]) => s + ms, 0);
    return `${parts.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(", ")} = ${sum.toFixed(1)} ms`;
  }
}

/** Running totals of the backing services: what crossed to them so far. */
interface Trips {
  /** Transactions PostgreSQL committed or rolled back in the run's database (a lone statement is one). */
  pgTransactions: number;
  /** Socket reads Redis processed: about one per round trip (a pipeline's commands arrive in one). */
  redisReads: number;
  /** Events published to the run's JetStream streams. */
  events: number;
  /** Deliveries to the run's durable consumers, redeliveries included. */
  deliveries: number;
}

async function readTrips(): Promise<Trips> {
  const cfg = loadConfig();
  const pg = new Client({ connectionString: cfg.databaseUrl });
  const redis = createRedis(cfg);
  const nc = await connect({ servers: cfg.natsUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ n: string }>(
      "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()",
    );
    const reads = /total_reads_processed:(\d+)/.exec(await redis.info("stats"))?.[1];
    let events = 0;
    let deliveries = 0;
    const jsm = await nc.jetstreamManager();
    for await (const stream of jsm.streams.list()) {
      if (!stream.config.name.startsWith(`${BENCH_RUN_ID}_`)) continue;
      events += stream.state.last_seq;
      for await (const consumer of jsm.consumers.list(stream.config.name)) {
        deliveries += consumer.delivered.consumer_seq;
      }
    }
    return { pgTransactions: Number(rows[0]?.n), redisReads: Number(reads), events, deliveries };
  } finally {
    await Promise.all([pg.end(), redis.quit(), nc.close()]);
  }
}

/**
 * What a stretch of load sent to PostgreSQL, Redis and JetStream per unit of work. Unlike rates
 * and CPU times these counts do not move with the machine's speed, so they show a change that
 * saves round trips when the rate alone is lost in the drift. Read the end after the consumers
 * caught up: PostgreSQL's backends report their counts up to a second late.
 */
export class TripMeter {
  private constructor(private readonly start: Trips) {}

  static async begin(): Promise<TripMeter> {
    return new TripMeter(await readTrips());
  }

  /** E.g. "PostgreSQL transactions 8.6, Redis round trips 4.7, JetStream events 4.0 and deliveries 6.0". */
  async perUnit(units: number): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const end = await readTrips();
    const per = (key: keyof Trips) => ((end[key] - this.start[key]) / units).toFixed(1);
    return (
      `PostgreSQL transactions ${per("pgTransactions")}, Redis round trips ${per("redisReads")}, ` +
      `JetStream events ${per("events")} and deliveries ${per("deliveries")}`
    );
  }
}

/** Messages the run's durable consumers have not acknowledged yet, per `stream/consumer`. */
async function consumerBacklog(natsUrl: string): Promise<Map<string, number>> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const backlog = new Map<string, number>();
    for await (const stream of jsm.streams.list()) {
      if (!stream.config.name.startsWith(`${BENCH_RUN_ID}_`)) continue;
      for await (const consumer of jsm.consumers.list(stream.config.name)) {
        const n = consumer.num_pending + consumer.num_ack_pending;
        if (n > 0) backlog.set(`${stream.config.name}/${consumer.name}`, n);
      }
    }
    return backlog;
  } finally {
    await nc.close();
  }
}

/**
 * Waits until the consumers downstream (statistics, notifications, warehouse...) have caught
 * up with what the load produced; returns the seconds it took. A rate that leaves a backlog
 * is not sustainable, so the benchmarks count this time in.
 */
export async function consumersCaughtUp(
  natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  giveUpAfterMs = 120_000,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const backlog = await consumerBacklog(natsUrl);
    if (backlog.size === 0) return (performance.now() - started) / 1000;
    if (performance.now() - started > giveUpAfterMs) {
      throw new Error(`consumers still behind after ${giveUpAfterMs} ms: ${JSON.stringify([...backlog])}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * How busy the event loop of the gateway's process was over its last metrics interval (5 s,
 * `process.eventloop.utilization`): read right after a level's load, it tells whether that one
 * thread, which all the process's services share, was what limited the rate.
 */
export async function eventLoopBusy(baseUrl: string): Promise<string> {
  const res = await request(baseUrl, "GET", "/metrics");
  const found = /^process_eventloop_utilization(?:\{[^}]*\})? ([0-9.eE+-]+)/m.exec(String(res.body));
  return found ? `${Math.round(Number(found[1]) * 100)}%` : "not reported";
}

/** Concurrency levels to run (`LEVELS`, comma-separated, default 1,8,32; `LEVELS=32` for one when profiling). */
export const LEVELS = (process.env.LEVELS ?? "1,8,32").split(",").map(Number);

/** Seconds of unmeasured load before the first level (`WARMUP`, default 15; 0 skips the warm-up and the ANALYZE). */
export const WARMUP_SECONDS = Number(process.env.WARMUP ?? 15);

/**
 * Updates the planner statistics of every table of this run (`ANALYZE`), as autovacuum does on a
 * PostgreSQL that runs it. Answers whether the server runs autovacuum. Without statistics, the
 * prepared statements keep the plans made when the tables were empty: sequential scans that grow
 * with the tables (docs/performance.md).
 */
export async function analyzeRun(): Promise<boolean> {
  const pg = new Client({ connectionString: loadConfig().databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname LIKE $1`,
      [`${BENCH_RUN_ID}\\_%`],
    );
    for (const { name } of rows) await pg.query(`ANALYZE ${name}`);
    return (await pg.query<{ autovacuum: string }>("SHOW autovacuum")).rows[0]?.autovacuum === "on";
  } finally {
    await pg.end();
  }
}

/**
 * Brings a freshly started system to where a running deployment is before anything is measured:
 * `load` runs for `WARMUP_SECONDS` unmeasured (V8 compiles the hot paths; at c=32 it still
 * compiles for about a minute, on the second core), the consumers catch up, and the run's tables
 * are analyzed. Prints what it did.
 */
export async function warmUp(load: (seconds: number) => Promise<unknown>): Promise<void> {
  if (WARMUP_SECONDS <= 0) return;
  await load(WARMUP_SECONDS);
  await consumersCaughtUp();
  const autovacuum = await analyzeRun();
  console.log(
    `warm-up: ${WARMUP_SECONDS} s of load at concurrency 32, not counted; then ANALYZE of the run's tables` +
      (autovacuum ? "" : " (this PostgreSQL runs without autovacuum, which would have done it)"),
  );
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
