import "./bench-env";
import { address, CatalogBuilder, uniqueId } from "../test/support/catalog";
import { devToken } from "../test/support/http";
import {
  CpuMeter,
  consumersCaughtUp,
  eventLoopBusy,
  LEVELS,
  load,
  peakRssMb,
  TripMeter,
  warmUp,
  withSystem,
} from "./bench-support";

/**
 * Order placement through the HTTP gateway, all services in one process:
 * orders/s and p50/p99 latency at concurrency 1, 8 and 32, and the system
 * process's peak RSS. The load comes from this process, the system runs in its own.
 * Run: `npx tsx bench/place-order.bench.ts` (DURATION=seconds per level, default 10; LEVELS=
 * comma-separated concurrencies, default 1,8,32; WARMUP=seconds of unmeasured load first, default
 * 15, see `warmUp`).
 */
async function main(): Promise<void> {
  const duration = Number(process.env.DURATION ?? 10);
  await withSystem(async ({ baseUrl, pids }) => {
    const catalog = await CatalogBuilder.create(baseUrl);
    const wh = await catalog.warehouse(["Zhejiang"]);
    const shop = uniqueId("shop");
    const skus = await Promise.all(
      [12_900, 4_550, 33_300].map((priceMinor) =>
        catalog.sku({ shopId: shop, priceMinor, stock: { [wh]: 10_000_000 } }),
      ),
    );
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_x, i) => devToken(baseUrl, `bench-buyer-${i}`, "buyer")),
    );
    const body = (i: number) =>
      JSON.stringify({
        lines: [{ skuId: skus[i % skus.length], quantity: 1 + (i % 3) }],
        address: address(),
        sourceChannel: "APP",
      });

    let n = 0;
    const place = (connections: number, seconds: number) =>
      load({
        url: `${baseUrl}/api/v1/orders`,
        method: "POST",
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (req) => {
              n += 1;
              return {
                ...req,
                headers: {
                  "content-type": "application/json",
                  authorization: `Bearer ${tokens[n % tokens.length]}`,
                },
                body: body(n),
              };
            },
          },
        ],
      });

    await warmUp((seconds) => place(32, seconds));
    console.log("concurrency | orders/s | p50 ms | p99 ms | non-2xx");
    for (const connections of LEVELS) {
      const cpu = new CpuMeter(pids);
      const trips = await TripMeter.begin();
      const figures = await place(connections, duration);
      const loopBusy = await eventLoopBusy(baseUrl);
      console.log(
        `${connections} | ${figures.perSecond} | ${figures.p50} | ${figures.p99} | ${figures.non2xx}`,
      );
      const catchUp = await consumersCaughtUp();
      const sustained = Math.round((figures.ok / (duration + catchUp)) * 10) / 10;
      console.log(
        `  consumers caught up ${catchUp.toFixed(1)} s after the load: ${sustained} orders/s sustained;` +
          ` CPU per order, catching up included: ${cpu.perUnit(figures.ok)};` +
          ` the system's event loop busy ${loopBusy} (last 5 s of the load)`,
      );
      console.log(`  per order: ${await trips.perUnit(figures.ok)}`);
    }
    console.log(`peak RSS of the system process: ${pids.map(peakRssMb).join(" + ")} MB`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
