import "./bench-env";
import { address, CatalogBuilder, uniqueId } from "../test/support/catalog";
import { devToken } from "../test/support/http";
import {
  type BenchSystem,
  CpuMeter,
  consumersCaughtUp,
  eventLoopBusy,
  LEVELS,
  peakRssMb,
  TripMeter,
  warmUp,
  withSystem,
} from "./bench-support";
import { request } from "./lean-http";

/**
 * Place-and-pay, the flow a storefront runs: create the order, create the
 * payment, the sandbox's signed success callback, until the order reads
 * AWAITING_SHIPMENT. Completed orders/s and p50/p99 of the whole flow at
 * concurrency 1, 8 and 32; then signed callbacks processed per second at
 * concurrency 32 (callback in -> order paid). Run with all services in one
 * process (default) and split over two (`LAYOUT=split`).
 * The result page long-polls: `GET /parent-orders/{no}?waitMs=5000` is held
 * by the order service until the checkout is paid (or closed) or 5 s pass, so
 * a flow makes one such request in the common case and asks again only if it
 * answered still PENDING_PAYMENT; each level prints the requests per paid order
 * and the p50 of each step.
 * Run: `npx tsx bench/place-and-pay.bench.ts` (DURATION=seconds per level, default 10;
 * LEVELS=comma-separated concurrencies, default 1,8,32; WARMUP=seconds of unmeasured load
 * first, default 15, see `warmUp`).
 */
const LAYOUTS: Record<string, string[]> = {
  one: [""],
  split: ["gateway,payment,inventory,promotion", "order,warehouse,logistics,notification"],
};

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

const WAIT_MS = 5_000;
/** The flow's steps, timed one by one: the checkout, the payment, the sandbox's completion, the result page. */
const STEPS = ["order", "payment", "sandbox", "until paid"] as const;
/** Result-page requests made, for the requests per paid order. */
let resultRequests = 0;

/** Long-polls the checkout (as a storefront's "payment result" page does) until its order is paid. */
async function waitPaid(url: string, token: string, parentOrderNo: string): Promise<void> {
  for (;;) {
    resultRequests += 1;
    const res = await request(url, "GET", `/api/v1/parent-orders/${parentOrderNo}?waitMs=${WAIT_MS}`, {
      token,
    });
    const status = res.body.orders?.[0]?.status;
    if (status === "AWAITING_SHIPMENT") return;
    if (status === "CLOSED") throw new Error(`checkout ${parentOrderNo} closed`);
    // An error answer returns at once: pause before asking again, as a storefront would.
    if (res.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function bench({ baseUrl: url, pids }: BenchSystem): Promise<void> {
  const duration = Number(process.env.DURATION ?? 10) * 1000;
  const catalog = await CatalogBuilder.create(url);
  const wh = await catalog.warehouse(["Zhejiang"]);
  const skuId = await catalog.sku({
    shopId: uniqueId("shop"),
    priceMinor: 12_900,
    stock: { [wh]: 10_000_000 },
  });
  const tokens = await Promise.all(
    Array.from({ length: 64 }, (_x, i) => devToken(url, `payer-${i}`, "buyer")),
  );
  const body = { lines: [{ skuId, quantity: 1 }], address: address(), sourceChannel: "APP" };

  /** Milliseconds of each step of the flows completed at the current level. */
  const steps: Record<(typeof STEPS)[number], number[]> = {
    order: [],
    payment: [],
    sandbox: [],
    "until paid": [],
  };
  const placeAndPay = async (token: string) => {
    const t0 = performance.now();
    const order = await request(url, "POST", "/api/v1/orders", { token, body });
    const t1 = performance.now();
    const pay = await request(url, "POST", "/api/v1/payments", {
      token,
      body: { parentOrderNo: order.body.parentOrderNo, method: "WECHAT" },
    });
    const t2 = performance.now();
    await request(url, "POST", `/api/v1/sandbox/payments/${pay.body.providerPaymentNo}/complete`, {
      body: { result: "SUCCESS" },
    });
    const t3 = performance.now();
    await waitPaid(url, token, order.body.parentOrderNo);
    steps.order.push(t1 - t0);
    steps.payment.push(t2 - t1);
    steps.sandbox.push(t3 - t2);
    steps["until paid"].push(performance.now() - t3);
  };

  /** `concurrency` storefront flows back to back for `ms`: each completed flow's latency, and the failures. */
  const flows = async (concurrency: number, ms: number) => {
    const latencies: number[] = [];
    let errors = 0;
    const end = Date.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async (_x, w) => {
        while (Date.now() < end) {
          const started = performance.now();
          try {
            await placeAndPay(tokens[w % tokens.length] as string);
            latencies.push(performance.now() - started);
          } catch {
            errors += 1;
          }
        }
      }),
    );
    return { latencies, errors };
  };

  await warmUp((seconds) => flows(32, seconds * 1000));
  console.log("concurrency | paid orders/s | p50 ms | p99 ms | errors");
  for (const concurrency of LEVELS) {
    const cpu = new CpuMeter(pids);
    const trips = await TripMeter.begin();
    resultRequests = 0;
    for (const step of STEPS) steps[step] = [];
    const { latencies, errors } = await flows(concurrency, duration);
    const loopBusy = await eventLoopBusy(url);
    latencies.sort((a, b) => a - b);
    const perOrder = latencies.length > 0 ? (resultRequests / latencies.length).toFixed(2) : "-";
    const rate = Math.round((latencies.length / (duration / 1000)) * 10) / 10;
    console.log(
      `${concurrency} | ${rate} | ${percentile(latencies, 50)} | ${percentile(latencies, 99)} | ${errors}`,
    );
    const catchUp = await consumersCaughtUp();
    const sustained = Math.round((latencies.length / (duration / 1000 + catchUp)) * 10) / 10;
    console.log(
      `  consumers caught up ${catchUp.toFixed(1)} s after the load: ${sustained} paid orders/s sustained;` +
        ` CPU per paid order, catching up included: ${cpu.perUnit(latencies.length)};` +
        ` result-page requests per paid order: ${perOrder};` +
        ` the gateway process's event loop busy ${loopBusy} (last 5 s of the load)`,
    );
    console.log(`  per paid order: ${await trips.perUnit(latencies.length)}`);
    const p50 = (step: (typeof STEPS)[number]) =>
      percentile(
        steps[step].sort((a, b) => a - b),
        50,
      );
    console.log(`  p50 per step: ${STEPS.map((s) => `${s} ${p50(s)}`).join(", ")} ms`);
  }

  // Callbacks only: payments prepared first, then their signed callbacks at concurrency 32.
  const prepared: { token: string; parentOrderNo: string; providerPaymentNo: string }[] = [];
  for (let i = 0; i < 640; i++) {
    const token = tokens[i % tokens.length] as string;
    const order = await request(url, "POST", "/api/v1/orders", { token, body });
    const pay = await request(url, "POST", "/api/v1/payments", {
      token,
      body: { parentOrderNo: order.body.parentOrderNo, method: "ALIPAY" },
    });
    prepared.push({
      token,
      parentOrderNo: order.body.parentOrderNo,
      providerPaymentNo: pay.body.providerPaymentNo,
    });
  }
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < prepared.length) {
        const p = prepared[next++] as (typeof prepared)[number];
        await request(url, "POST", `/api/v1/sandbox/payments/${p.providerPaymentNo}/complete`, {
          body: { result: "SUCCESS" },
        });
      }
    }),
  );
  await Promise.all(prepared.map((p) => waitPaid(url, p.token, p.parentOrderNo)));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `signed callbacks processed end to end: ${Math.round(prepared.length / seconds)}/s at concurrency 32`,
  );
  console.log(`peak RSS per process: ${pids.map(peakRssMb).join(" + ")} MB`);
}

const layout = LAYOUTS[process.env.LAYOUT ?? "one"] ?? LAYOUTS.one;
console.log(`layout: ${JSON.stringify(layout)}`);
withSystem(bench, layout).catch((err) => {
  console.error(err);
  process.exit(1);
});
