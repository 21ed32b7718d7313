import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { addDays, shanghaiDay } from "../services/order/stats/stats-period";

/**
 * Order queries and statistics against a bulk-seeded order schema (scripts/seed-bulk.ts): p50/p99 of a
 * buyer's and a merchant's first list page (each tab), the order detail, the 30-day shop and platform
 * overviews, settlements and a day's reconciliation, called one at a time through a broker running the order service (with payment and warehouse,
 * which the detail calls) in this process.
 *
 *   npm run seed:bulk -- --orders 1000000            # once: schema bulk_order
 *   npx tsx bench/queries.bench.ts [--schema-prefix bulk_] [--iterations 200]
 *   npm run seed:bulk -- --drop                      # afterwards
 */

interface Figures {
  what: string;
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Runs `call` n times one after another (after a short warm-up) and returns its latency percentiles in ms. */
async function measure(what: string, n: number, call: (i: number) => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < Math.min(5, n); i += 1) await call(i);
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    await call(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const figures = {
    what,
    n,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(times[times.length - 1]!),
  };
  console.log(`${what} | ${n} | ${figures.p50} | ${figures.p99} | ${figures.max}`);
  return figures;
}

async function main(): Promise<void> {
  const runId = `q${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const prefix = arg("--schema-prefix", process.env.DB_SCHEMA_PREFIX || "bulk_");
  const iterations = Number(arg("--iterations", "200"));
  process.env.NAMESPACE = runId;
  process.env.REDIS_PREFIX = `${runId}:`;
  process.env.DB_SCHEMA_PREFIX = prefix;
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? "warn";
  process.env.SWEEP_INTERVAL_MS = process.env.SWEEP_INTERVAL_MS ?? "3600000";
  // Modules that read the configuration are loaded only now, after the environment is set.
  const { startSystem } = await import("../test/support/system.js");
  const { cleanupRun } = await import("../test/support/cleanup.js");
  const { MERCHANT_TABS } = await import("../services/order/domain/order-view.js");
  let system: Awaited<ReturnType<typeof startSystem>> | undefined;
  try {
    system = await startSystem(["order", "payment", "warehouse"]);
    const broker = system.broker;
    const order = broker.getLocalService("order") as unknown as { pool: import("pg").Pool };
    const pick = async (sql: string) =>
      (await order.pool.query(sql)).rows.map((r) => Object.values(r)[0] as string);
    const { rows } = await order.pool.query("SELECT count(*)::int AS n FROM orders");
    console.log(`schema ${prefix}order: ${rows[0].n} orders; ${iterations} calls per figure, one at a time`);
    const buyers = await pick(
      `SELECT buyer_id FROM orders WHERE created_at > now() - interval '92 days'
       GROUP BY buyer_id ORDER BY count(*) DESC LIMIT 50`,
    );
    const shops = await pick("SELECT shop_id FROM orders GROUP BY shop_id ORDER BY count(*) DESC");
    const bigShop = shops[0]!;
    const midShop = shops[Math.floor(shops.length / 10)]!;
    const orderNos = await pick("SELECT order_no FROM orders TABLESAMPLE SYSTEM (1) LIMIT 1000");
    const admin = { userId: "bench-admin", role: "admin" };
    const merchant = (shopId: string) => ({ userId: `merchant-of-${shopId}`, role: "merchant", shopId });
    const call = (action: string, params: object, user: object) =>
      broker.call(action, params, { meta: { user } });

    console.log("figure | calls | p50 ms | p99 ms | max ms");
    await measure("buyer list, first page (50 heaviest buyers)", iterations, (i) =>
      call("order.list", {}, { userId: buyers[i % buyers.length], role: "buyer" }),
    );
    await measure("buyer list, first page, tab TO_REVIEW", iterations, (i) =>
      call("order.list", { tab: "TO_REVIEW" }, { userId: buyers[i % buyers.length], role: "buyer" }),
    );
    for (const shopId of [bigShop, midShop]) {
      for (const tab of [undefined, ...MERCHANT_TABS]) {
        await measure(`merchant list ${shopId}, ${tab ?? "all"}`, iterations, () =>
          call("order.list", tab ? { tab } : {}, merchant(shopId)),
        );
      }
    }
    await measure("admin list, all shops, tab REFUNDING", iterations, () =>
      call("order.list", { tab: "REFUNDING" }, admin),
    );
    await measure("order detail (order.get), random orders", iterations, (i) =>
      call("order.get", { orderNo: orderNos[i % orderNos.length] }, admin),
    );
    const overviews = Math.max(20, Math.floor(iterations / 4));
    await measure(`shop overview, 30 days, ${bigShop} (biggest)`, overviews, () =>
      call("order.statsOverview", {}, merchant(bigShop)),
    );
    await measure("shop overview, 30 days, shops in turn", overviews, (i) =>
      call("order.statsOverview", {}, merchant(shops[i % shops.length]!)),
    );
    await measure("platform overview, 30 days", overviews, () => call("order.statsOverview", {}, admin));
    // Days are Shanghai days: in the evening UTC, Shanghai is already a day ahead.
    const yearAgo = addDays(shanghaiDay(new Date()), -364);
    await measure(`shop overview, 1 year, ${bigShop}`, overviews, () =>
      call("order.statsOverview", { from: yearAgo }, merchant(bigShop)),
    );
    await measure("platform overview, 1 year", Math.min(overviews, 20), () =>
      call("order.statsOverview", { from: yearAgo }, admin),
    );
    await measure(`shop settlement, 30 days, ${bigShop} (biggest)`, overviews, () =>
      call("order.settlements", {}, merchant(bigShop)),
    );
    await measure("shop settlement, 30 days, shops in turn", overviews, (i) =>
      call("order.settlements", {}, merchant(shops[i % shops.length]!)),
    );
    await measure(`shop settlement lines, 30 days, first page, ${bigShop}`, overviews, () =>
      call("order.settlements", { includeLines: true }, merchant(bigShop)),
    );
    await measure("settlement of every shop, 30 days, first page", 5, () =>
      call("order.settlements", {}, admin),
    );
    // The seed writes no payments: every paid order of the day is looked up at the payment service and listed.
    await measure("reconciliation of yesterday (order side; the seed has no payments)", 5, () =>
      call("order.reconciliation", {}, admin),
    );
    await measure("for comparison: platform 30-day GMV summed from orders", 5, () =>
      order.pool.query(
        "SELECT sum(paid_minor) FROM orders WHERE paid_at >= now() - interval '30 days' AND paid_at < now()",
      ),
    );
  } finally {
    await system?.stop();
    await cleanupRun(runId);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
