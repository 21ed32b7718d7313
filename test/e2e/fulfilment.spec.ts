import type { OrderService } from "../../services/order/order.service";
import { AFTER_SALES_WINDOW, AUTO_CONFIRM, sweepFulfilment } from "../../services/order/order-fulfilment";
import { address, CatalogBuilder, expectOk, uniqueId } from "../support/catalog";
import {
  orderReaches,
  packagesOf,
  paidOrder as paidOrderOf,
  readOrderTimers,
  setOrderTimers,
  ship,
  trackingEvent,
} from "../support/fulfilment-flow";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem, waitFor } from "../support/system";

/** Order timers in seconds for this file; put back afterwards. */
const FAST_TIMERS = { autoConfirmAfter: "3s", afterSalesWindow: "4s" };

describe("fulfilment: packages, shipping, tracking, auto-confirm and completion", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;
  let saved: Record<string, string>;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
    saved = await readOrderTimers(catalog);
    await setTimers(FAST_TIMERS);
  });
  afterAll(async () => {
    await setTimers(saved);
    await system.stop();
  });

  const setTimers = (body: Record<string, string>) => setOrderTimers(catalog, body);

  async function paidOrder(shopId: string, lines: { skuId: string; quantity: number }[]) {
    const paid = await paidOrderOf(catalog, lines);
    expect(paid.order.shopId).toBe(shopId);
    return paid;
  }

  async function timelineEvents(token: string, orderNo: string): Promise<string[]> {
    const res = expectOk(
      await request(url, "GET", `/api/v1/orders/${orderNo}/timeline`, { token }),
      "timeline",
    );
    return res.items.map((e: any) => e.event);
  }

  const stockIn = async (skuId: string, wh: string) =>
    (await catalog.stock(skuId)).find((s) => s.warehouseId === wh);

  it("splits a two-warehouse order, ships it partially then fully, tracks it to SIGNED, auto-confirms and finishes it", async () => {
    const shopId = uniqueId("shop");
    const whA = await catalog.warehouse(["Zhejiang"]);
    const whB = await catalog.warehouse(["Jiangsu"]);
    const chemical = await catalog.sku({
      shopId,
      priceMinor: 3_000,
      storageClass: "CHEMICAL",
      stock: { [whA]: 10 },
    });
    const food = await catalog.sku({
      shopId,
      priceMinor: 2_000,
      storageClass: "FOOD",
      stock: { [whA]: 10 },
      deductionStrategy: "DEDUCT_ON_PAYMENT",
    });
    const television = await catalog.sku({ shopId, priceMinor: 800_000, stock: { [whB]: 5 } });
    const mug = await catalog.sku({ shopId, priceMinor: 1_500, stock: { [whB]: 10 } });
    const { token, orderNo } = await paidOrder(shopId, [
      { skuId: chemical, quantity: 1 },
      { skuId: food, quantity: 2 },
      { skuId: television, quantity: 1 },
      { skuId: mug, quantity: 3 },
    ]);
    const merchant = await catalog.merchantToken(shopId);

    // Warehouse A: the chemical and the food apart; warehouse B: the high-value television alone.
    const packages = await packagesOf(url, merchant, orderNo, 4);
    const shape = packages.map((p) => ({
      warehouseId: p.warehouseId,
      lines: p.lines.map((l: any) => `${l.skuId}x${l.quantity}`),
    }));
    expect(shape).toEqual(
      expect.arrayContaining([
        { warehouseId: whA, lines: [`${chemical}x1`] },
        { warehouseId: whA, lines: [`${food}x2`] },
        { warehouseId: whB, lines: [`${television}x1`] },
        { warehouseId: whB, lines: [`${mug}x3`] },
      ]),
    );
    expect(packages.every((p) => p.status === "PENDING" && p.logisticsStatus === null)).toBe(true);
    const byFirstSku = new Map(packages.map((p) => [p.lines[0].skuId as string, p]));
    const [first, second, third, fourth] = [chemical, food, television, mug].map((s) => byFirstSku.get(s));

    // The first package goes through its warehouse task, then is handed over on its printed waybill.
    for (const [step, extra] of [
      ["PRINT_WAYBILL", { carrier: "SF" }],
      ["PICK", {}],
      ["PACK", {}],
    ] as const) {
      expectOk(
        await request(url, "POST", `/api/v1/packages/${first.packageId}/tasks`, {
          token: merchant,
          body: { step, ...extra },
        }),
        step,
      );
    }
    const shippedFirst = await ship(url, merchant, first.packageId, { method: "ONLINE_WAYBILL" });
    expect(shippedFirst).toMatchObject({ status: "HANDED_OVER", method: "ONLINE_WAYBILL", carrier: "SF" });
    expect(shippedFirst.trackingNo).toMatch(/^SF\d+$/);
    expect(shippedFirst.task.waybillPrintedAt).not.toBeNull();
    expect(shippedFirst.task.handedOverAt).not.toBeNull();

    const partial = await orderReaches(url, token, orderNo, "PARTIALLY_SHIPPED");
    expect(partial.viewStatus).toBe("TO_SHIP");
    expect(partial.shippedAt).not.toBeNull();
    const moved = await request(url, "PATCH", `/api/v1/orders/${orderNo}/address`, {
      token,
      body: address("Jiangsu"),
    });
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe("ORDER_ALREADY_SHIPPED");

    const manualNo = `YT${Date.now().toString().slice(-13).padStart(13, "0")}`;
    await ship(url, merchant, second.packageId, { method: "MANUAL", carrier: "YTO", trackingNo: manualNo });
    await ship(url, merchant, third.packageId, { method: "ONLINE_WAYBILL", carrier: "JD" });
    await orderReaches(url, token, orderNo, "PARTIALLY_SHIPPED");
    await ship(url, merchant, fourth.packageId, { method: "ONLINE_WAYBILL", carrier: "ZTO" });
    const shipped = await orderReaches(url, token, orderNo, "SHIPPED");
    expect(shipped.viewStatus).toBe("TO_RECEIVE");
    expect(shipped.autoConfirmAt).not.toBeNull();
    expect(shipped.actions).toContain("CONFIRM_RECEIPT");

    // Tracking, duplicated and out of order, only moves forward.
    const tracking = shippedFirst.trackingNo;
    const t0 = Date.now() - 60_000;
    for (const [i, status] of ["PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "SIGNED"].entries()) {
      await trackingEvent(url, "SF", tracking, {
        status,
        at: new Date(t0 + i * 1_000).toISOString(),
        duplicates: 1,
      });
    }
    await trackingEvent(url, "SF", tracking, { status: "IN_TRANSIT", at: new Date(t0 + 500).toISOString() });
    let signed: any;
    await waitFor("the first package to be SIGNED on the order", async () => {
      signed = (await request(url, "GET", `/api/v1/orders/${orderNo}`, { token })).body;
      const pkg = signed.packages?.find((p: any) => p.packageId === first.packageId);
      return pkg?.logisticsStatus === "SIGNED" && signed.deliveredAt !== null;
    });
    const signedPackage = signed.packages.find((p: any) => p.packageId === first.packageId);
    expect(signedPackage.events.map((e: any) => e.status)).toEqual([
      "PICKED_UP",
      "IN_TRANSIT",
      "IN_TRANSIT",
      "OUT_FOR_DELIVERY",
      "SIGNED",
    ]);
    expect(signedPackage).toMatchObject({ carrier: "SF", trackingNo: tracking, method: "ONLINE_WAYBILL" });

    // The auto-confirm timer completes it; the after-sales window then finishes it.
    const completed = await orderReaches(url, token, orderNo, "COMPLETED");
    expect(completed.viewStatus).toBe("TO_REVIEW");
    expect(completed.confirmedAt).toBeNull();
    expect(completed.afterSalesWindowEndsAt).not.toBeNull();
    const finished = await orderReaches(url, token, orderNo, "FINISHED");
    expect(finished.viewStatus).toBe("DONE");
    const reviewed = expectOk(
      await request(url, "POST", `/api/v1/orders/${orderNo}/review`, {
        token,
        body: { rating: 5, comment: "arrived safely" },
      }),
      "review",
    );
    expect(reviewed).toMatchObject({ reviewed: true, viewStatus: "DONE", review: { rating: 5 } });
    const late = await request(url, "POST", `/api/v1/orders/${orderNo}/after-sales`, {
      token,
      body: {
        type: "REFUND_ONLY",
        lines: [{ lineId: finished.lines[0].lineId, quantity: 1 }],
        reason: "late",
      },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("AFTER_SALES_WINDOW_CLOSED");
    const again = await request(url, "POST", `/api/v1/orders/${orderNo}/review`, {
      token,
      body: { rating: 1 },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("ALREADY_REVIEWED");

    const events = await timelineEvents(token, orderNo);
    expect(events.filter((e) => e === "package.shipped")).toHaveLength(4);
    expect(events).toEqual(
      expect.arrayContaining([
        "logistics.signed",
        "autoconfirm.timeout",
        "aftersales.window.closed",
        "review",
      ]),
    );

    // Shipping took the units out of on-hand; nothing stays reserved; the ledger agrees with Redis.
    await waitFor("stock to leave the warehouses", async () => {
      const [c, f, t, m] = await Promise.all([
        stockIn(chemical, whA),
        stockIn(food, whA),
        stockIn(television, whB),
        stockIn(mug, whB),
      ]);
      return (
        c?.onHand === 9 &&
        c.reserved === 0 &&
        f?.onHand === 8 &&
        f.reserved === 0 &&
        t?.onHand === 4 &&
        t.reserved === 0 &&
        m?.onHand === 7 &&
        m.reserved === 0
      );
    });
    const reconcile = expectOk(
      await request(url, "GET", "/api/v1/admin/inventory/reconcile", { token: catalog.adminToken }),
      "reconcile",
    );
    expect(reconcile).toMatchObject({ ok: true, drift: [] });
  });

  it("completes on the buyer's confirmation, with NO_LOGISTICS and a festival campaign's longer auto-confirm", async () => {
    const shopId = uniqueId("shop");
    const wh = await catalog.warehouse(["Zhejiang"]);
    const skuId = await catalog.sku({ shopId, priceMinor: 5_000, stock: { [wh]: 5 } });
    const now = Date.now();
    expectOk(
      await request(url, "POST", "/api/v1/campaigns", {
        token: catalog.adminToken,
        body: {
          campaignId: uniqueId("festival"),
          kind: "PERCENT_OFF",
          shopId,
          skuIds: [skuId],
          percentOff: 10,
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 3_600_000).toISOString(),
          autoConfirmAfter: "15d",
        },
      }),
      "festival campaign",
    );
    const { token, orderNo } = await paidOrder(shopId, [{ skuId, quantity: 2 }]);
    const merchant = await catalog.merchantToken(shopId);
    const stranger = await devToken(url, uniqueId("buyer"), "buyer");

    const early = await request(url, "POST", `/api/v1/orders/${orderNo}/confirm-receipt`, { token });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("INVALID_TRANSITION");

    const [pkg] = await packagesOf(url, merchant, orderNo, 1);
    const handed = await ship(url, merchant, pkg.packageId, { method: "NO_LOGISTICS" });
    expect(handed).toMatchObject({
      method: "NO_LOGISTICS",
      carrier: null,
      trackingNo: null,
      logisticsStatus: null,
    });
    const shipped = await orderReaches(url, token, orderNo, "SHIPPED");
    const wait = new Date(shipped.autoConfirmAt).getTime() - Date.now();
    expect(wait).toBeGreaterThan(14 * 86_400_000);

    const foreign = await request(url, "POST", `/api/v1/orders/${orderNo}/confirm-receipt`, {
      token: stranger,
    });
    expect(foreign.status).toBe(404);
    const byMerchant = await request(url, "POST", `/api/v1/orders/${orderNo}/confirm-receipt`, {
      token: merchant,
    });
    expect(byMerchant.status).toBe(403);

    const confirmed = expectOk(
      await request(url, "POST", `/api/v1/orders/${orderNo}/confirm-receipt`, { token }),
      "confirm receipt",
    );
    expect(confirmed).toMatchObject({ status: "COMPLETED", viewStatus: "TO_REVIEW", autoConfirmAt: null });
    expect(confirmed.confirmedAt).not.toBeNull();
    const twice = await request(url, "POST", `/api/v1/orders/${orderNo}/confirm-receipt`, { token });
    expect(twice.status).toBe(409);

    const orders = system.broker.getLocalService("order") as unknown as OrderService;
    expect(await orders.timers.isScheduled(AUTO_CONFIRM, orderNo)).toBe(false);
    await orderReaches(url, token, orderNo, "FINISHED");
    const events = await timelineEvents(token, orderNo);
    expect(events).toEqual(expect.arrayContaining(["receipt.confirmed", "aftersales.window.closed"]));
    expect(events).not.toContain("autoconfirm.timeout");
    await waitFor("the units to leave the warehouse", async () => {
      const s = await stockIn(skuId, wh);
      return s?.onHand === 3 && s.reserved === 0;
    });
  });

  it("flags an order its shop did not hand over by the ship-by deadline, in the detail, lists and statistics", async () => {
    const shopId = uniqueId("shop");
    const wh = await catalog.warehouse(["Zhejiang"]);
    const skuId = await catalog.sku({ shopId, priceMinor: 2_000, stock: { [wh]: 5 } });
    await setTimers({ shipWithin: "1s" });
    const { token, orderNo } = await paidOrder(shopId, [{ skuId, quantity: 1 }]);
    await setTimers({ shipWithin: saved.shipWithin as string });
    const merchant = await catalog.merchantToken(shopId);
    let overdue: any;
    await waitFor("the order to be flagged overdue", async () => {
      overdue = (await request(url, "GET", `/api/v1/orders/${orderNo}`, { token: merchant })).body;
      return overdue.shipOverdueAt !== null;
    });
    expect(overdue.status).toBe("AWAITING_SHIPMENT");
    expect(new Date(overdue.shipOverdueAt).getTime()).toBeGreaterThanOrEqual(
      new Date(overdue.shipBy).getTime(),
    );
    const listed = expectOk(
      await request(url, "GET", "/api/v1/orders?overdue=true", { token: merchant }),
      "list",
    );
    expect(listed.items.map((o: any) => o.orderNo)).toEqual([orderNo]);
    const stats = expectOk(
      await request(url, "GET", `/api/v1/stats/overview?shopId=${shopId}`, { token: merchant }),
      "stats",
    );
    expect(stats.shipOverdueOrders).toBe(1);
    const [pkg] = await packagesOf(url, merchant, orderNo, 1);
    await ship(url, merchant, pkg.packageId, { method: "NO_LOGISTICS" });
    await orderReaches(url, token, orderNo, "SHIPPED");
    const events = await timelineEvents(token, orderNo);
    expect(events.filter((e) => e === "ship.overdue")).toHaveLength(1);
  });

  it("refuses bad shipping, tracking and confirmation input and changes nothing", async () => {
    const shopId = uniqueId("shop");
    const wh = await catalog.warehouse(["Zhejiang"]);
    const skuId = await catalog.sku({ shopId, priceMinor: 4_000, stock: { [wh]: 5 } });
    const { token, orderNo } = await paidOrder(shopId, [{ skuId, quantity: 1 }]);
    const merchant = await catalog.merchantToken(shopId);
    const otherMerchant = await catalog.merchantToken(uniqueId("shop"));
    const [pkg] = await packagesOf(url, merchant, orderNo, 1);
    const shipPath = `/api/v1/packages/${pkg.packageId}/ship`;

    const attempts: [string, { status: number; body: any }, number, string?][] = [
      [
        "another shop's package",
        await request(url, "POST", shipPath, { token: otherMerchant, body: { method: "NO_LOGISTICS" } }),
        403,
      ],
      [
        "a buyer shipping",
        await request(url, "POST", shipPath, { token, body: { method: "NO_LOGISTICS" } }),
        403,
      ],
      [
        "an unknown carrier",
        await request(url, "POST", shipPath, {
          token: merchant,
          body: { method: "MANUAL", carrier: "DHL", trackingNo: "1234567890" },
        }),
        422,
      ],
      [
        "a malformed tracking number",
        await request(url, "POST", shipPath, {
          token: merchant,
          body: { method: "MANUAL", carrier: "SF", trackingNo: "12345" },
        }),
        422,
        "TRACKING_NO_INVALID",
      ],
      [
        "a manual shipment without a carrier",
        await request(url, "POST", shipPath, {
          token: merchant,
          body: { method: "MANUAL", trackingNo: "SF123456789012" },
        }),
        422,
        "CARRIER_REQUIRED",
      ],
      [
        "an unknown package",
        await request(url, "POST", "/api/v1/packages/no-such-package/ship", {
          token: merchant,
          body: { method: "NO_LOGISTICS" },
        }),
        404,
      ],
      [
        "a webhook with a wrong signature",
        await request(url, "POST", "/api/v1/logistics/callbacks/SF", {
          rawBody: JSON.stringify({ eventId: "forged", trackingNo: "SF123456789012", status: "SIGNED" }),
          headers: { "x-signature": "00".repeat(32) },
        }),
        401,
        "INVALID_SIGNATURE",
      ],
      [
        "a webhook without a signature",
        await request(url, "POST", "/api/v1/logistics/callbacks/SF", {
          rawBody: JSON.stringify({ eventId: "unsigned", trackingNo: "SF123456789012", status: "SIGNED" }),
        }),
        401,
      ],
      [
        "confirming receipt before shipment",
        await request(url, "POST", `/api/v1/orders/${orderNo}/confirm-receipt`, { token }),
        409,
      ],
    ];
    for (const [what, res, status, code] of attempts) {
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(res.body.error.code).toEqual(code ?? expect.any(String));
    }
    const [unchanged] = await packagesOf(url, merchant, orderNo, 1);
    expect(unchanged).toMatchObject({ status: "PENDING", method: null, carrier: null, trackingNo: null });
    expect((await orderReaches(url, token, orderNo, "AWAITING_SHIPMENT")).shippedAt).toBeNull();

    await ship(url, merchant, pkg.packageId, { method: "NO_LOGISTICS" });
    const twice = await request(url, "POST", shipPath, { token: merchant, body: { method: "NO_LOGISTICS" } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe("PACKAGE_ALREADY_SHIPPED");
    await orderReaches(url, token, orderNo, "SHIPPED");
    const events = await timelineEvents(token, orderNo);
    expect(events.filter((e) => e === "package.shipped")).toHaveLength(1);
  });

  // Last: it restarts the system.
  it("keeps the auto-confirm and after-sales window timers across a restart and a lost job", async () => {
    const shopId = uniqueId("shop");
    const wh = await catalog.warehouse(["Zhejiang"]);
    const skuId = await catalog.sku({ shopId, priceMinor: 6_000, stock: { [wh]: 5 } });
    const { token, orderNo } = await paidOrder(shopId, [{ skuId, quantity: 1 }]);
    const merchant = await catalog.merchantToken(shopId);
    const [pkg] = await packagesOf(url, merchant, orderNo, 1);
    await ship(url, merchant, pkg.packageId, { method: "NO_LOGISTICS" });
    await orderReaches(url, token, orderNo, "SHIPPED");
    let orders = system.broker.getLocalService("order") as unknown as OrderService;
    await waitFor("auto-confirm to be scheduled", () => orders.timers.isScheduled(AUTO_CONFIRM, orderNo));

    // Down while the auto-confirm falls due: the job waits in Redis and fires once the service is back.
    await system.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
    const completed = await orderReaches(url, token, orderNo, "COMPLETED");
    expect(completed.confirmedAt).toBeNull();

    // A lost window job: the sweeper finds the overdue order.
    orders = system.broker.getLocalService("order") as unknown as OrderService;
    await waitFor("the window to be scheduled", () => orders.timers.isScheduled(AFTER_SALES_WINDOW, orderNo));
    await orders.timers.cancel(AFTER_SALES_WINDOW, orderNo);
    const due = new Date(completed.afterSalesWindowEndsAt).getTime();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now()) + 200));
    expect((await request(url, "GET", `/api/v1/orders/${orderNo}`, { token })).body.status).toBe("COMPLETED");
    await sweepFulfilment(orders, new Date());
    await orderReaches(url, token, orderNo, "FINISHED");
  });
});
