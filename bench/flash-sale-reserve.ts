// First, and a bare import so it stays first: the run's prefixes must be set before the configuration is read.
import "./flash-sale-reserve-env";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { brokerOptions } from "../shared/broker-options";
import { loadConfig } from "../shared/config/config";
import { cleanupRun } from "../test/support/cleanup";
import { RUN_ID } from "./flash-sale-reserve-env";

/**
 * Flash sale on the inventory hot path: one SKU with 100 units, 5,000 reserve
 * attempts from 5,000 buyers at concurrency 64, sent over NATS from a client
 * broker to a broker running the inventory service. Prints attempts/s and
 * latency, and checks that exactly 100 succeeded and Redis, the ledger and the
 * stock table agree. Run: `npx tsx bench/flash-sale-reserve.ts` (ATTEMPTS,
 * CONCURRENCY, UNITS override the figures; LOCAL=1 calls in-process, without NATS).
 */

const admin = { meta: { user: { userId: "bench-admin", role: "admin" } } };
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function main(): Promise<void> {
  const attempts = Number(process.env.ATTEMPTS ?? 5_000);
  const concurrency = Number(process.env.CONCURRENCY ?? 64);
  const units = Number(process.env.UNITS ?? 100);
  const cfg = loadConfig();
  const server = new ServiceBroker(brokerOptions(cfg, { nodeID: `${RUN_ID}-inventory`, logger: false }));
  server.loadService(path.join(__dirname, "..", "services", "inventory", "inventory.service.ts"));
  const client = new ServiceBroker(brokerOptions(cfg, { nodeID: `${RUN_ID}-client`, logger: false }));
  try {
    await server.start();
    await client.start();
    await client.waitForServices(["inventory"], 10_000);
    await client.call(
      "inventory.createWarehouse",
      { warehouseId: "WH-1", name: "Hangzhou", provinces: ["Zhejiang"] },
      admin,
    );
    const sku = {
      skuId: "FLASH-1",
      shopId: "shop-1",
      title: "Flash sale phone",
      spec: "128 GB",
      priceMinor: 99_900,
      category: "phones",
      storageClass: "AMBIENT",
      weightGrams: 400,
      volumeCm3: 900,
      deductionStrategy: "RESERVE_ON_ORDER",
      purchaseLimitPerUser: 1,
    };
    await client.call("inventory.createSku", sku, admin);
    await client.call("inventory.setStock", { skuId: "FLASH-1", warehouseId: "WH-1", onHand: units }, admin);

    const outcomes = new Map<string, number>();
    const latencies: number[] = [];
    let next = 0;
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const caller = process.env.LOCAL === "1" ? server : client;
    const worker = async () => {
      for (let i = next++; i < attempts; i = next++) {
        const t0 = performance.now();
        let outcome = "OK";
        try {
          await caller.call("inventory.reserve", {
            reservationId: `R-${i}`,
            buyerId: `fan-${i}`,
            province: "Zhejiang",
            lines: [{ lineId: "L1", skuId: "FLASH-1", quantity: 1, strategy: "RESERVE_ON_ORDER" }],
          });
        } catch (err) {
          outcome = (err as { type?: string }).type ?? "ERROR";
        }
        latencies.push(performance.now() - t0);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    await client.call("inventory.drainLedger", {});
    const drainedAt = (performance.now() - started) / 1000;
    const item = await client.call<{ stock: { reserved: number; available: number }[] }, object>(
      "inventory.getSku",
      { skuId: "FLASH-1" },
      admin,
    );
    const report = await client.call<{ ok: boolean }, object>("inventory.reconcile", {}, admin);

    const ok = outcomes.get("OK") ?? 0;
    console.log(
      `attempts: ${attempts} at concurrency ${concurrency}, outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    console.log(
      `attempts/s: ${Math.round(attempts / seconds)}, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 0.99).toFixed(1)} ms, ledger drained ${drainedAt.toFixed(2)} s after start`,
    );
    console.log(`stock after: ${JSON.stringify(item.stock)}, reconcile ok: ${report.ok}`);
    console.log(`RSS growth: ${Math.round((process.memoryUsage().rss - rssBefore) / 1024 / 1024)} MB`);
    const exact = ok === units && item.stock[0]?.reserved === units && report.ok;
    console.log(exact ? `exactly ${units} succeeded, zero oversell, no drift` : "MISMATCH");
    if (!exact) process.exitCode = 1;
  } finally {
    await client.stop();
    await server.stop();
    await cleanupRun(RUN_ID);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
