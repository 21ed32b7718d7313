import type { Pool } from "pg";
import { STATS_CONSUMERS } from "../../services/order/stats/stats-events";
import { rebuildStats } from "../../services/order/stats/stats-rebuild";
import { withTransaction } from "../../shared/db/pool";
import { type EventEnvelope, newEvent } from "../../shared/outbox/outbox";
import { address, CatalogBuilder, expectOk, uniqueId } from "../support/catalog";
import { orderReaches, packagesOf, ship } from "../support/fulfilment-flow";
import { devToken, request } from "../support/http";
import { insertOrder } from "../support/order-rows";
import { completeInSandbox, settledOrders, startPayment } from "../support/payment-flow";
import { startSystem, type TestSystem, waitFor } from "../support/system";

/** One child order of the data set, as the test knows it. */
interface StatsOrder {
  orderNo: string;
  shopId: string;
  buyerId: string;
  province: string;
  sourceChannel: string;
  payableMinor: number;
  lines: { skuId: string; quantity: number; amountMinor: number }[];
  paid: boolean;
  shipped: boolean;
  completed: boolean;
  refundMinor: number;
}

type OverviewFigures = Record<string, any>;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const distinct = (xs: string[]) => new Set(xs).size;

/** JSON with sorted keys: equal figures give equal strings whatever the key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** By key: orders, paid orders and GMV, largest GMV first. */
function byKey(orders: StatsOrder[], key: (o: StatsOrder) => string, name: string) {
  const keys = [...new Set(orders.map(key))];
  return keys
    .map((k) => {
      const mine = orders.filter((o) => key(o) === k);
      const paid = mine.filter((o) => o.paid);
      return {
        [name]: k,
        orders: mine.length,
        paidOrders: paid.length,
        gmvMinor: sum(paid.map((o) => o.payableMinor)),
      };
    })
    .sort(
      (a, b) =>
        b.gmvMinor - a.gmvMinor || b.orders - a.orders || String(a[name]).localeCompare(String(b[name])),
    );
}

/** Every figure the overview must show for these orders (all created and paid today, buyers new). */
function expectedFigures(orders: StatsOrder[]) {
  const paid = orders.filter((o) => o.paid);
  const gmvMinor = sum(paid.map((o) => o.payableMinor));
  const refundMinor = sum(orders.map((o) => o.refundMinor));
  const bounds = [0, 10_000, 30_000, 60_000, 100_000, null];
  const labels = ["<100", "100-300", "300-600", "600-1000", ">1000"];
  const skus = [...new Set(orders.flatMap((o) => o.lines.map((l) => l.skuId)))].map((skuId) => {
    const lines = (list: StatsOrder[]) => list.flatMap((o) => o.lines.filter((l) => l.skuId === skuId));
    return {
      skuId,
      title: `Item ${skuId}`,
      orderedUnits: sum(lines(orders).map((l) => l.quantity)),
      orderedMinor: sum(lines(orders).map((l) => l.amountMinor)),
      paidUnits: sum(lines(paid).map((l) => l.quantity)),
      paidMinor: sum(lines(paid).map((l) => l.amountMinor)),
    };
  });
  const top = (rank: (a: (typeof skus)[number], b: (typeof skus)[number]) => number) =>
    [...skus].sort((a, b) => rank(a, b) || a.skuId.localeCompare(b.skuId)).slice(0, 10);
  const payingUsers = distinct(paid.map((o) => o.buyerId));
  return {
    gmvMinor,
    orders: orders.length,
    paidOrders: paid.length,
    aovMinor: paid.length ? Math.floor(gmvMinor / paid.length) : 0,
    orderingUsers: distinct(orders.map((o) => o.buyerId)),
    payingUsers,
    newPayingUsers: payingUsers,
    returningPayingUsers: 0,
    amountBuckets: labels.map((bucket, i) => {
      const inBucket = paid.filter(
        (o) => o.payableMinor >= bounds[i]! && (bounds[i + 1] === null || o.payableMinor < bounds[i + 1]!),
      );
      return {
        bucket,
        fromMinor: bounds[i],
        toMinor: bounds[i + 1],
        paidOrders: inBucket.length,
        gmvMinor: sum(inBucket.map((o) => o.payableMinor)),
      };
    }),
    byProvince: byKey(orders, (o) => o.province, "province"),
    bySourceChannel: byKey(orders, (o) => o.sourceChannel, "sourceChannel"),
    topSkus: {
      byUnits: top((a, b) => b.paidUnits - a.paidUnits || b.orderedUnits - a.orderedUnits),
      byAmount: top((a, b) => b.paidMinor - a.paidMinor || b.orderedMinor - a.orderedMinor),
    },
    refunds: orders.filter((o) => o.refundMinor > 0).length,
    refundMinor,
    refundRate: gmvMinor ? Math.round((refundMinor / gmvMinor) * 10_000) / 10_000 : 0,
    funnel: {
      created: orders.length,
      paid: paid.length,
      shipped: orders.filter((o) => o.shipped).length,
      completed: orders.filter((o) => o.completed).length,
    },
    // Every order here ships or closes long before its 48 h ship-by deadline.
    shipOverdueOrders: 0,
  };
}

const ADDITIVE = [
  "orders",
  "paidOrders",
  "gmvMinor",
  "orderingUsers",
  "payingUsers",
  "newPayingUsers",
  "returningPayingUsers",
  "refunds",
  "refundMinor",
] as const;

/** What the platform's additive figures grew by from `before` to `after` (zero entries left out). */
function platformDelta(before: OverviewFigures, after: OverviewFigures) {
  const counts = (r: any): number[] => [r?.orders ?? 0, r?.paidOrders ?? 0, r?.gmvMinor ?? 0];
  const rows = (list: string, key: string) => {
    const delta: Record<string, number[]> = {};
    for (const row of after[list] as any[]) {
      const old = counts((before[list] as any[]).find((r) => r[key] === row[key]));
      const d = counts(row).map((v, i) => v - old[i]!);
      if (d.some((v) => v !== 0)) delta[row[key]] = d;
    }
    return delta;
  };
  return {
    ...Object.fromEntries(ADDITIVE.map((k) => [k, after[k] - before[k]])),
    funnel: Object.fromEntries(Object.keys(after.funnel).map((k) => [k, after.funnel[k] - before.funnel[k]])),
    amountBuckets: rows("amountBuckets", "bucket"),
    byProvince: rows("byProvince", "province"),
    bySourceChannel: rows("bySourceChannel", "sourceChannel"),
  };
}

/** The same delta computed from the orders this test made. */
function contribution(orders: StatsOrder[]) {
  const f = expectedFigures(orders);
  const rows = (list: any[], key: string) =>
    Object.fromEntries(
      list
        .filter((r) => r.orders || r.paidOrders)
        .map((r) => [r[key], [r.orders ?? 0, r.paidOrders, r.gmvMinor]]),
    );
  return {
    ...Object.fromEntries(ADDITIVE.map((k) => [k, f[k]])),
    funnel: f.funnel,
    amountBuckets: rows(f.amountBuckets, "bucket"),
    byProvince: rows(f.byProvince, "province"),
    bySourceChannel: rows(f.bySourceChannel, "sourceChannel"),
  };
}

// Statistics correct by construction: orders placed, paid, shipped, refunded through the real services,
// every figure of the overview compared with what this data set must give. Everything happens "today".
describe("order statistics from the order events", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
  });
  afterAll(() => system.stop());

  const overview = async (token: string, query = "") =>
    expectOk(
      await request(url, "GET", `/api/v1/stats/overview${query}`, { token }),
      "overview",
    ) as OverviewFigures;

  /** Waits until `read` gives `expected` (events arrive asynchronously), then compares every figure exactly. */
  async function expectFigures(read: () => Promise<unknown>, expected: object) {
    let last: unknown;
    await waitFor(
      "the statistics to catch up",
      async () => {
        last = await read();
        return canonical(last) === canonical(expected);
      },
      30_000,
    ).catch(() => undefined);
    expect(last).toEqual(expected);
  }

  /** The platform's figures once no event is in flight any more (earlier test files' stragglers). */
  async function settledPlatform(admin: string): Promise<OverviewFigures> {
    let previous = "";
    let current = await overview(admin);
    while (JSON.stringify(current) !== previous) {
      previous = JSON.stringify(current);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      current = await overview(admin);
    }
    return current;
  }

  it("counts two shops' orders, payments, refunds and funnel exactly, and the platform's by difference", async () => {
    const shopA = uniqueId("statsA");
    const shopB = uniqueId("statsB");
    const wh = await catalog.warehouse(["Zhejiang", "Guangdong", "Sichuan"]);
    const sku = (shopId: string, priceMinor: number, extra: object = {}) =>
      catalog.sku({ shopId, priceMinor, stock: { [wh]: 100 }, ...extra });
    const a1 = await sku(shopA, 9_999);
    const a2 = await sku(shopA, 10_000);
    const a3 = await sku(shopA, 35_000);
    const b1 = await sku(shopB, 100_000);
    const scarce = await sku(shopB, 20_000, { stock: { [wh]: 1 }, deductionStrategy: "DEDUCT_ON_PAYMENT" });
    const admin = catalog.adminToken;
    const before = await settledPlatform(admin);

    const orders: StatsOrder[] = [];
    const buyer = async () => {
      const id = uniqueId("stats-buyer");
      return { id, token: await devToken(url, id, "buyer") };
    };
    const place = async (
      who: { id: string; token: string },
      lines: { skuId: string; quantity: number }[],
      province: string,
      sourceChannel: string,
    ) => {
      const checkout = expectOk(
        await request(url, "POST", "/api/v1/orders", {
          token: who.token,
          body: { lines, address: address(province), sourceChannel },
        }),
        "place order",
      );
      for (const child of checkout.orders) {
        // No shipping fee or discount here, so each child's amount is its goods: bucket bounds are exact.
        expect(child.amounts.payableMinor).toBe(
          child.lines.reduce((s: number, l: any) => s + l.unitPriceMinor * l.quantity, 0),
        );
        orders.push({
          orderNo: child.orderNo,
          shopId: child.shopId,
          buyerId: who.id,
          province,
          sourceChannel,
          payableMinor: child.amounts.payableMinor,
          lines: child.lines.map((l: any) => ({
            skuId: l.skuId,
            quantity: l.quantity,
            amountMinor: l.paidMinor,
          })),
          paid: false,
          shipped: false,
          completed: false,
          refundMinor: 0,
        });
      }
      return checkout;
    };
    const pay = async (who: { token: string }, checkout: any) => {
      const payment = await startPayment(url, who.token, checkout.parentOrderNo);
      await completeInSandbox(url, payment.providerPaymentNo);
      await settledOrders(url, who.token, checkout.parentOrderNo);
      for (const child of checkout.orders) orders.find((o) => o.orderNo === child.orderNo)!.paid = true;
    };

    // u1: one checkout over both shops, paid. u2: never pays. u3: pays, the order ships and completes.
    const [u1, u2, u3, u4, u5, u6] = await Promise.all(Array.from({ length: 6 }, buyer));
    await pay(
      u1!,
      await place(
        u1!,
        [
          { skuId: a1, quantity: 1 },
          { skuId: b1, quantity: 1 },
        ],
        "Zhejiang",
        "APP",
      ),
    );
    await place(u2!, [{ skuId: a2, quantity: 1 }], "Guangdong", "H5");
    const c3 = await place(u3!, [{ skuId: a3, quantity: 2 }], "Guangdong", "APP");
    await pay(u3!, c3);
    const o3 = c3.orders[0].orderNo;
    const merchantA = await catalog.merchantToken(shopA);
    for (const p of await packagesOf(url, merchantA, o3))
      await ship(url, merchantA, p.packageId, { method: "NO_LOGISTICS" });
    await orderReaches(url, u3!.token, o3, "SHIPPED");
    expectOk(
      await request(url, "POST", `/api/v1/orders/${o3}/confirm-receipt`, { token: u3!.token }),
      "confirm",
    );
    await orderReaches(url, u3!.token, o3, "COMPLETED");
    Object.assign(orders.find((o) => o.orderNo === o3)!, { shipped: true, completed: true });

    // u4: two paid orders in Sichuan on H5; the second gets a partial refund of 12.34.
    await pay(u4!, await place(u4!, [{ skuId: a2, quantity: 1 }], "Sichuan", "H5"));
    const c4 = await place(u4!, [{ skuId: a1, quantity: 3 }], "Sichuan", "H5");
    await pay(u4!, c4);
    await system.broker.call("payment.refund", {
      parentOrderNo: c4.parentOrderNo,
      orderNo: c4.orders[0].orderNo,
      amountMinor: 1_234,
      reason: "GOODWILL",
      idempotencyKey: `stats-goodwill:${c4.orders[0].orderNo}`,
    });
    orders.find((o) => o.orderNo === c4.orders[0].orderNo)!.refundMinor = 1_234;

    // u5 and u6 want the last unit of a deduct-on-payment SKU: u6 pays first, u5's child is paid, closed out
    // of stock and refunded in full (it counts as paid, and as a refund).
    const c5 = await place(u5!, [{ skuId: scarce, quantity: 1 }], "Zhejiang", "APP");
    const c6 = await place(u6!, [{ skuId: scarce, quantity: 1 }], "Zhejiang", "MINI_PROGRAM");
    const p5 = await startPayment(url, u5!.token, c5.parentOrderNo);
    await pay(u6!, c6);
    await completeInSandbox(url, p5.providerPaymentNo);
    const [closed] = await settledOrders(url, u5!.token, c5.parentOrderNo);
    expect(closed).toMatchObject({ status: "CLOSED", closeReason: "OUT_OF_STOCK" });
    Object.assign(orders.find((o) => o.orderNo === closed.orderNo)!, { paid: true, refundMinor: 20_000 });

    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 32 * 3_600_000).toISOString().slice(0, 10);
    const period = `?from=${today}&to=${tomorrow}`;
    const figures = (shopId: string) => expectedFigures(orders.filter((o) => o.shopId === shopId));
    const withoutPeriod = ({ period: _, ...rest }: OverviewFigures) => rest;

    // The hand-checked anchors of the expectations (the rest follows from the same orders).
    expect(figures(shopA)).toMatchObject({ orders: 5, paidOrders: 4, gmvMinor: 119_996, aovMinor: 29_999 });
    expect(figures(shopA)).toMatchObject({ refundMinor: 1_234, refundRate: 0.0103 });
    expect(figures(shopB)).toMatchObject({ orders: 3, paidOrders: 3, gmvMinor: 140_000, refundRate: 0.1429 });

    await expectFigures(async () => withoutPeriod(await overview(admin, `${period}&shopId=${shopA}`)), {
      shopId: shopA,
      currency: "CNY",
      ...figures(shopA),
    });
    await expectFigures(
      async () => withoutPeriod(await overview(await catalog.merchantToken(shopB), period)),
      { shopId: shopB, currency: "CNY", ...figures(shopB) },
    );
    await expectFigures(async () => platformDelta(before, await overview(admin)), contribution(orders));
    const after = await overview(admin);
    expect(after.shopId).toBeNull();
    expect(after.aovMinor).toBe(Math.floor(after.gmvMinor / after.paidOrders));

    // Lists of the same shop page through each tab newest first.
    const tab = async (name: string, limit: number, cursor?: string) =>
      expectOk(
        await request(
          url,
          "GET",
          `/api/v1/orders?tab=${name}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
          {
            token: merchantA,
          },
        ),
        "list",
      );
    const toShip: string[] = [];
    let page = await tab("TO_SHIP", 1);
    for (;;) {
      toShip.push(...page.items.map((o: any) => o.orderNo));
      if (!page.nextCursor) break;
      page = await tab("TO_SHIP", 1, page.nextCursor);
    }
    const paidA = orders.filter((o) => o.shopId === shopA && o.paid && !o.shipped).map((o) => o.orderNo);
    expect(toShip).toEqual([...paidA].reverse());
    expect((await tab("SUCCESS", 20)).items.map((o: any) => o.orderNo)).toEqual([o3]);
    expect((await tab("AWAITING_PAYMENT", 20)).items).toHaveLength(1);
  });

  it("refuses another shop's figures to a merchant (403) and gives it its own without shopId", async () => {
    const own = await catalog.merchantToken("stats-own-shop");
    const res = await request(url, "GET", "/api/v1/stats/overview?shopId=someone-else", { token: own });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
    expect((await overview(own)).shopId).toBe("stats-own-shop");
    const buyerToken = await devToken(url, uniqueId("buyer"), "buyer");
    expect((await request(url, "GET", "/api/v1/stats/overview", { token: buyerToken })).status).toBe(403);
  });

  it.each([
    ["from", "?from=2026-03-10&to=2026-03-01"],
    ["from", "?from=2026-03-10&to=2026-03-10"],
    ["to", "?from=2025-01-01&to=2026-01-02"],
    ["from", "?from=last-week"],
    ["to", "?to=2026-03-01T10:00:00"],
  ])("answers 422 VALIDATION_FAILED naming %s for %s", async (field, query) => {
    const res = await request(url, "GET", `/api/v1/stats/overview${query}`, { token: catalog.adminToken });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field } });
  });

  // Day boundaries, cohorts and new vs returning users need orders of earlier days, which the API cannot make:
  // they are written into the order tables (in 2024, where nothing else in this run falls) and fed to the
  // statistics' consumers as their events would be.
  describe("over several Asia/Shanghai days", () => {
    let pool: Pool;
    const S = uniqueId("statsS");
    const T = uniqueId("statsT");
    const [x, y, z] = [uniqueId("x"), uniqueId("y"), uniqueId("z")];
    const skuS = uniqueId("skuS");
    const skuT = uniqueId("skuT");
    let serial = 0;
    const made: string[] = [];

    async function order(o: {
      shopId: string;
      buyerId: string;
      skuId: string;
      quantity: number;
      amountMinor: number;
      createdAt: string;
      paidAt?: string;
      status: string;
      completedAt?: string;
      province: string;
      channel: string;
    }): Promise<string> {
      serial += 1;
      const orderNo = `7${String(Date.now()).slice(-9)}${String(serial).padStart(8, "0")}`;
      await insertOrder(pool, {
        ...o,
        orderNo,
        paidAt: o.paidAt ?? null,
        lines: [
          { skuId: o.skuId, title: `Item ${o.skuId}`, quantity: o.quantity, amountMinor: o.amountMinor },
        ],
      });
      made.push(orderNo);
      return orderNo;
    }

    const deliver = async (channel: string, payload: object, occurredAt?: string) => {
      const envelope: EventEnvelope = newEvent(
        channel,
        payload,
        occurredAt ? new Date(occurredAt) : undefined,
      );
      await STATS_CONSUMERS[channel]!.handle(pool, envelope);
      return envelope;
    };
    const at = (from: string, to: string, shopId?: string) =>
      system.broker.call(
        "order.statsOverview",
        { from, to, ...(shopId ? { shopId } : {}) },
        { meta: { user: { userId: "stats-admin", role: "admin" } } },
      ) as Promise<OverviewFigures>;

    beforeAll(async () => {
      pool = (system.broker.getLocalService("order") as unknown as { pool: Pool }).pool;
      // 23:30 on 9 March in Shanghai (15:30 UTC), paid 40 minutes later: on 10 March there.
      const o1 = await order({
        shopId: S,
        buyerId: x,
        skuId: skuS,
        quantity: 2,
        amountMinor: 50_000,
        createdAt: "2024-03-09T15:30:00Z",
        paidAt: "2024-03-09T16:10:00Z",
        status: "COMPLETED",
        completedAt: "2024-03-15T00:00:00Z",
        province: "Zhejiang",
        channel: "APP",
      });
      const o2 = await order({
        shopId: S,
        buyerId: x,
        skuId: skuS,
        quantity: 1,
        amountMinor: 20_000,
        createdAt: "2024-03-11T02:00:00Z",
        paidAt: "2024-03-11T02:05:00Z",
        status: "AWAITING_SHIPMENT",
        province: "Zhejiang",
        channel: "H5",
      });
      const o3 = await order({
        shopId: S,
        buyerId: y,
        skuId: skuS,
        quantity: 1,
        amountMinor: 9_000,
        createdAt: "2024-03-10T01:00:00Z",
        status: "CLOSED",
        province: "Guangdong",
        channel: "APP",
      });
      // z buys from T first (9 March), then from S (11 March): new to S, returning to the platform.
      const o4 = await order({
        shopId: T,
        buyerId: z,
        skuId: skuT,
        quantity: 1,
        amountMinor: 10_000,
        createdAt: "2024-03-09T01:00:00Z",
        paidAt: "2024-03-09T01:00:30Z",
        status: "AWAITING_SHIPMENT",
        province: "Sichuan",
        channel: "PC",
      });
      const o5 = await order({
        shopId: S,
        buyerId: z,
        skuId: skuS,
        quantity: 1,
        amountMinor: 30_000,
        createdAt: "2024-03-11T03:00:00Z",
        paidAt: "2024-03-11T03:01:00Z",
        status: "AWAITING_SHIPMENT",
        province: "Sichuan",
        channel: "PC",
      });
      for (const orderNo of [o1, o2, o3, o4, o5]) await deliver("order.placed", { orderNo });
      // The paid event of o2 arrives twice: it counts once.
      const paid2 = await deliver("order.paid", { orderNo: o2 });
      await STATS_CONSUMERS["order.paid"]!.handle(pool, paid2);
      for (const orderNo of [o1, o4, o5]) await deliver("order.paid", { orderNo });
      await deliver("order.shipped", { orderNo: o1, status: "SHIPPED" });
      await deliver("order.completed", { orderNo: o1, status: "COMPLETED" });
      // A partial shipment is not the funnel's step; an unpaid close counts nothing.
      await deliver("order.shipped", { orderNo: o2, status: "PARTIALLY_SHIPPED" });
      await deliver("order.closed", { orderNo: o3, reason: "PAYMENT_TIMEOUT" });
      // Refunded at 00:30 on 12 March in Shanghai.
      await deliver(
        "refund.succeeded",
        {
          orderNo: o1,
          amountMinor: 5_000,
          refundNo: "r1",
          paymentNo: "p1",
          parentOrderNo: "x",
          reason: "RETURN",
        },
        "2024-03-11T16:30:00Z",
      );
      // As the order service records it in the same delivery (what a rebuild counts refunds from).
      await pool.query(
        `INSERT INTO order_refunds (refund_no, payment_no, parent_order_no, order_no, shop_id, amount_minor, reason,
           refunded_at) VALUES ($1, 'p1', 'x', $2, $3, 5000, 'RETURN', '2024-03-11T16:30:00Z')`,
        [uniqueId("r1"), o1, S],
      );
    });

    afterAll(async () => {
      const shops = [S, T];
      await pool.query("DELETE FROM order_refunds WHERE shop_id = ANY($1)", [shops]);
      for (const table of [
        "stats_daily",
        "stats_daily_province",
        "stats_daily_channel",
        "stats_daily_bucket",
        "stats_daily_sku",
        "stats_daily_user",
        "stats_sku",
      ])
        await pool.query(`DELETE FROM ${table} WHERE shop_id = ANY($1)`, [shops]);
      await pool.query("DELETE FROM stats_buyer_first_paid WHERE shop_id = ANY($1) OR buyer_id = ANY($2)", [
        shops,
        [x, y, z],
      ]);
      await pool.query("DELETE FROM order_lines WHERE order_no = ANY($1)", [made]);
      const { rows } = await pool.query(
        "DELETE FROM orders WHERE order_no = ANY($1) RETURNING parent_order_no",
        [made],
      );
      await pool.query("DELETE FROM parent_orders WHERE parent_order_no = ANY($1)", [
        rows.map((r) => r.parent_order_no),
      ]);
    });

    it("counts an order created before midnight and paid after it on two days, its funnel on the first", async () => {
      expect(await at("2024-03-09", "2024-03-10", S)).toMatchObject({
        orders: 1,
        paidOrders: 0,
        gmvMinor: 0,
        orderingUsers: 1,
        payingUsers: 0,
        funnel: { created: 1, paid: 1, shipped: 1, completed: 1 },
      });
      expect(await at("2024-03-10", "2024-03-11", S)).toMatchObject({
        orders: 1,
        paidOrders: 1,
        gmvMinor: 50_000,
        funnel: { created: 1, paid: 0, shipped: 0, completed: 0 },
      });
    });

    it("tells new paying users (first paid order with the shop in the period) from returning ones", async () => {
      expect(await at("2024-03-10", "2024-03-12", S)).toMatchObject({
        orders: 3,
        paidOrders: 3,
        gmvMinor: 100_000,
        aovMinor: 33_333,
        orderingUsers: 3,
        payingUsers: 2,
        newPayingUsers: 2,
        returningPayingUsers: 0,
        refundMinor: 0,
      });
      // x paid S first on 10 March: returning on the 11th; z is new to S.
      expect(await at("2024-03-11", "2024-03-12", S)).toMatchObject({
        payingUsers: 2,
        newPayingUsers: 1,
        returningPayingUsers: 1,
        amountBuckets: [
          expect.objectContaining({ bucket: "<100", paidOrders: 0 }),
          expect.objectContaining({ bucket: "100-300", paidOrders: 1, gmvMinor: 20_000 }),
          expect.objectContaining({ bucket: "300-600", paidOrders: 1, gmvMinor: 30_000 }),
          expect.objectContaining({ bucket: "600-1000", paidOrders: 0 }),
          expect.objectContaining({ bucket: ">1000", paidOrders: 0 }),
        ],
      });
    });

    it("counts new users on the platform by their first paid order with any shop", async () => {
      // z first paid with T on 9 March: returning on the platform on the 10th-11th; x is new.
      expect(await at("2024-03-10", "2024-03-12")).toMatchObject({
        shopId: null,
        orders: 3,
        payingUsers: 2,
        newPayingUsers: 1,
        returningPayingUsers: 1,
      });
      expect(await at("2024-03-09", "2024-03-10")).toMatchObject({
        orders: 2,
        paidOrders: 1,
        gmvMinor: 10_000,
        orderingUsers: 2,
        newPayingUsers: 1,
        byProvince: [
          { province: "Sichuan", orders: 1, paidOrders: 1, gmvMinor: 10_000 },
          { province: "Zhejiang", orders: 1, paidOrders: 0, gmvMinor: 0 },
        ],
      });
    });

    it("puts a refund on the day it succeeded", async () => {
      expect(await at("2024-03-12", "2024-03-13", S)).toMatchObject({
        refunds: 1,
        refundMinor: 5_000,
        gmvMinor: 0,
        refundRate: 0,
      });
      expect(await at("2024-03-09", "2024-03-16", S)).toMatchObject({ refundMinor: 5_000, refundRate: 0.05 });
    });

    it("keeps the same daily rows as a rebuild from the order tables", async () => {
      const snapshot = async (q: Pick<Pool, "query">) => {
        const out: Record<string, unknown[]> = {};
        for (const table of [
          "stats_daily",
          "stats_daily_province",
          "stats_daily_channel",
          "stats_daily_bucket",
          "stats_daily_sku",
          "stats_daily_user",
          "stats_sku",
        ])
          out[table] = (
            await q.query(`SELECT * FROM ${table} WHERE shop_id = ANY($1) ORDER BY 1, 2, 3`, [[S, T]])
          ).rows;
        out.first = (
          await q.query("SELECT * FROM stats_buyer_first_paid WHERE buyer_id = ANY($1) ORDER BY 1, 2", [
            [x, y, z],
          ])
        ).rows;
        return out;
      };
      const maintained = await snapshot(pool);
      expect(maintained.stats_daily!.length).toBeGreaterThan(0);
      const rebuilt = await withTransaction(pool, async (tx) => {
        await rebuildStats(tx, [S, T]);
        const rows = await snapshot(tx);
        await tx.query("ROLLBACK; BEGIN");
        return rows;
      });
      expect(rebuilt).toEqual(maintained);
    });
  });
});
