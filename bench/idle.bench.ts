import "./bench-env";
import { CpuMeter, TripMeter, withSystem } from "./bench-support";

/**
 * What the whole system costs while it does nothing: started in one process, left idle (after a
 * settling minute), then per second of idling: CPU by process, PostgreSQL transactions and Redis
 * round trips. These are the pollers (outbox relays, sweepers, timers, the inventory ledger) and
 * the metrics: what a quiet deployment pays.
 * Run: `npx tsx bench/idle.bench.ts` (IDLE=seconds measured, default 30; SETTLE=seconds before, default 20).
 */
async function idle({ pids }: { pids: number[] }): Promise<void> {
  const seconds = Number(process.env.IDLE ?? 30);
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.SETTLE ?? 20) * 1000));
  const cpu = new CpuMeter(pids);
  const trips = await TripMeter.begin();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  console.log(`idle for ${seconds} s, per second:`);
  console.log(`  CPU ms: ${cpu.perUnit(seconds)}`);
  console.log(`  ${await trips.perUnit(seconds)}`);
}

withSystem(idle).catch((err) => {
  console.error(err);
  process.exit(1);
});
