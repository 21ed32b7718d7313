import { CatalogBuilder, expectOk, uniqueId } from "../support/catalog";
import {
  orderReaches,
  packagesOf,
  paidOrder,
  readOrderTimers,
  setOrderTimers,
  ship,
  trackingEvent,
} from "../support/fulfilment-flow";
import { request } from "../support/http";
import { startSystem, type TestSystem, waitFor } from "../support/system";

describe("after-sales: refunds, returns and exchanges", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;
  let saved: Record<string, string>;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
    saved = await readOrderTimers(catalog);
  });
  afterAll(async () => {
    await setTimers(saved);
    await system.stop();
  });

  const setTimers = (body: Record<string, string>) => setOrderTimers(catalog, body);

  /** A shop with a warehouse and SKUs at the given prices, 10 units each. */
  async function shopWith(prices: number[]) {
    const shopId = uniqueId("shop");
    const wh = await catalog.warehouse(["Zhejiang"]);
    const skus: string[] = [];
    for (const priceMinor of prices)
      skus.push(await catalog.sku({ shopId, priceMinor, stock: { [wh]: 10 } }));
    return { shopId, wh, skus, merchant: await catalog.merchantToken(shopId) };
  }

  async function ask(token: string, orderNo: string, body: Record<string, unknown>) {
    return request(url, "POST", `/api/v1/orders/${orderNo}/after-sales`, { token, body });
  }

  async function act(
    token: string,
    afterSalesNo: string,
    action: string,
    body: Record<string, unknown> = {},
  ) {
    return request(url, "POST", `/api/v1/after-sales/${afterSalesNo}/${action}`, { token, body });
  }

  async function requestReaches(token: string, afterSalesNo: string, status: string, timeoutMs = 15_000) {
    let found: any;
    await waitFor(
      `after-sales ${afterSalesNo} to reach ${status}`,
      async () => {
        found = (await request(url, "GET", `/api/v1/after-sales/${afterSalesNo}`, { token })).body;
        return found.status === status;
      },
      timeoutMs,
    );
    return found;
  }

  async function shipAll(merchant: string, orderNo: string) {
    for (const p of await packagesOf(url, merchant, orderNo)) {
      if (p.status !== "HANDED_OVER" && !p.afterSalesNo)
        await ship(url, merchant, p.packageId, { method: "NO_LOGISTICS" });
    }
  }

  const stockOf = async (skuId: string, wh: string) =>
    (await catalog.stock(skuId)).find((s) => s.warehouseId === wh);

  it("cancels a paid order before shipment: intercepted, refunded to the fen, coupon and coins back, order CLOSED", async () => {
    const { shopId, wh, skus, merchant } = await shopWith([4_990, 12_345]);
    const buyerId = uniqueId("buyer");
    const template = await catalog.couponTemplate({
      scope: "SHOP",
      shopId,
      thresholdMinor: 10_000,
      discountMinor: 1_500,
    });
    const couponId = await catalog.issueCoupon(template, buyerId);
    await catalog.member(buyerId, "NORMAL", 1_000);
    const { token, order, orderNo } = await paidOrder(
      catalog,
      [
        { skuId: skus[0] as string, quantity: 2 },
        { skuId: skus[1] as string, quantity: 1 },
      ],
      { buyerId, couponIds: [couponId], coins: 777 },
    );
    await packagesOf(url, merchant, orderNo);

    const created = await ask(token, orderNo, {
      type: "REFUND_ONLY",
      lines: order.lines.map((l: any) => ({ lineId: l.lineId, quantity: l.quantity })),
      reason: "changed my mind",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "PENDING_REVIEW", type: "REFUND_ONLY", intercept: true });
    const afterSalesNo = created.body.afterSalesNo;
    const inProgress = (await request(url, "GET", `/api/v1/orders/${orderNo}`, { token })).body;
    expect(inProgress).toMatchObject({ afterSalesStatus: "IN_PROGRESS", viewStatus: "AFTER_SALES" });
    const merchantView = (await request(url, "GET", `/api/v1/orders/${orderNo}`, { token: merchant })).body;
    expect(merchantView.viewStatus).toBe("REFUNDING");

    expect((await act(merchant, afterSalesNo, "approve")).status).toBe(200);
    const done = await requestReaches(token, afterSalesNo, "SUCCEEDED");
    expect(done).toMatchObject({ intercepted: true, refundMinor: order.amounts.paidMinor });
    expect(done.refund.wholeOrder).toBe(true);
    expect(done.refund.couponIds).toEqual([couponId]);
    expect(done.refund.coins).toBe(777);

    const closed = await orderReaches(url, token, orderNo, "CLOSED");
    expect(closed).toMatchObject({ closeReason: "FULL_REFUND", afterSalesStatus: "REFUNDED" });
    expect(closed.amounts.refundedMinor).toBe(closed.amounts.paidMinor);
    for (const line of closed.lines) {
      expect(line.refundedQuantity).toBe(line.quantity);
      expect(line.refundedMinor).toBe(line.paidMinor);
    }
    expect(closed.afterSales.map((r: any) => r.afterSalesNo)).toEqual([afterSalesNo]);
    expect(closed.packages.every((p: any) => p.status === "INTERCEPTED")).toBe(true);
    await waitFor("the coupon and the coins to come back", async () => {
      const coupons = (await request(url, "GET", "/api/v1/me/coupons", { token })).body.items;
      const member = (await request(url, "GET", "/api/v1/me/member", { token })).body;
      return (
        coupons.find((c: any) => c.couponId === couponId)?.status === "AVAILABLE" && member.coins === 1_000
      );
    });
    await waitFor("the intercepted units to be available again", async () => {
      const [a, b] = await Promise.all([stockOf(skus[0] as string, wh), stockOf(skus[1] as string, wh)]);
      return a?.onHand === 10 && a.reserved === 0 && b?.onHand === 10 && b.reserved === 0;
    });
    const timeline = (await request(url, "GET", `/api/v1/after-sales/${afterSalesNo}`, { token })).body
      .timeline;
    expect(timeline.map((e: any) => e.to)).toEqual(["PENDING_REVIEW", "PENDING_REFUND", "SUCCEEDED"]);
    const withdraw = await act(token, afterSalesNo, "withdraw");
    expect(withdraw.status).toBe(409);
  });

  it("cancels part of a partially shipped order: the unshipped units are intercepted and the rest is the whole shipment", async () => {
    const shopId = uniqueId("shop");
    const wh = await catalog.warehouse(["Zhejiang"]);
    const food = await catalog.sku({ shopId, priceMinor: 2_500, storageClass: "FOOD", stock: { [wh]: 10 } });
    const chemical = await catalog.sku({
      shopId,
      priceMinor: 1_800,
      storageClass: "CHEMICAL",
      stock: { [wh]: 10 },
    });
    const merchant = await catalog.merchantToken(shopId);
    const { token, order, orderNo } = await paidOrder(catalog, [
      { skuId: food, quantity: 2 },
      { skuId: chemical, quantity: 1 },
    ]);
    const packages = await packagesOf(url, merchant, orderNo, 2);
    const foodPackage = packages.find((p: any) => p.lines[0].skuId === food);
    await ship(url, merchant, foodPackage.packageId, { method: "NO_LOGISTICS" });
    await orderReaches(url, token, orderNo, "PARTIALLY_SHIPPED");

    const chemicalLine = order.lines.find((l: any) => l.skuId === chemical);
    const created = expectOk(
      await ask(token, orderNo, {
        type: "REFUND_ONLY",
        lines: [{ lineId: chemicalLine.lineId, quantity: 1 }],
        reason: "no longer needed",
      }),
      "partial cancel",
    );
    expect(created.intercept).toBe(true);
    expectOk(await act(merchant, created.afterSalesNo, "approve"), "approve");
    const done = await requestReaches(token, created.afterSalesNo, "SUCCEEDED");
    expect(done).toMatchObject({ intercepted: true, refundMinor: chemicalLine.paidMinor });
    expect(done.refund.wholeOrder).toBe(false);
    const shipped = await orderReaches(url, token, orderNo, "SHIPPED");
    expect(shipped.afterSalesStatus).toBe("PARTIALLY_REFUNDED");
    expect(shipped.autoConfirmAt).not.toBeNull();
    const after = await packagesOf(url, merchant, orderNo, 2);
    expect(after.find((p: any) => p.packageId !== foodPackage.packageId).status).toBe("INTERCEPTED");
    await waitFor("the chemical back in stock and the food out of it", async () => {
      const [f, c] = await Promise.all([stockOf(food, wh), stockOf(chemical, wh)]);
      return f?.onHand === 8 && f.reserved === 0 && c?.onHand === 10 && c.reserved === 0;
    });
  });

  it("takes two successive partial requests on one order: a refund after shipment, then a return with goods received", async () => {
    const { wh, skus, merchant } = await shopWith([3_333, 2_000]);
    const { token, order, orderNo } = await paidOrder(catalog, [
      { skuId: skus[0] as string, quantity: 3 },
      { skuId: skus[1] as string, quantity: 1 },
    ]);
    const [lineA, lineB] = order.lines;
    await shipAll(merchant, orderNo);
    await orderReaches(url, token, orderNo, "SHIPPED");

    const first = await ask(token, orderNo, {
      type: "REFUND_ONLY",
      lines: [{ lineId: lineA.lineId, quantity: 1 }],
      reason: "one arrived broken",
    });
    expect(first.status).toBe(201);
    expect(first.body.intercept).toBe(false);
    expect((await act(merchant, first.body.afterSalesNo, "approve")).status).toBe(200);
    const refunded = await requestReaches(token, first.body.afterSalesNo, "SUCCEEDED");
    expect(refunded.refundMinor).toBe(lineA.unitPaidMinor[0]);
    await waitFor("the order to show a partial refund", async () => {
      const o = (await request(url, "GET", `/api/v1/orders/${orderNo}`, { token })).body;
      return (
        o.afterSalesStatus === "PARTIALLY_REFUNDED" && o.amounts.refundedMinor === lineA.unitPaidMinor[0]
      );
    });

    const tooMany = await ask(token, orderNo, {
      type: "RETURN_REFUND",
      lines: [{ lineId: lineA.lineId, quantity: 3 }],
      reason: "all of them",
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.details.field).toBe("lines[0].quantity");

    const second = await ask(token, orderNo, {
      type: "RETURN_REFUND",
      lines: [{ lineId: lineA.lineId, quantity: 2 }],
      reason: "wrong colour",
    });
    expect(second.status).toBe(201);
    const no = second.body.afterSalesNo;
    expect((await act(merchant, no, "approve")).status).toBe(200);
    await requestReaches(token, no, "AWAITING_BUYER_RETURN");
    const unknownCarrier = await act(token, no, "return-shipment", {
      carrier: "DHL",
      trackingNo: "1234567890",
    });
    expect(unknownCarrier.status).toBe(422);
    const trackingNo = `YT${Date.now().toString().slice(-13).padStart(13, "0")}`;
    expect((await act(token, no, "return-shipment", { carrier: "YTO", trackingNo })).status).toBe(200);
    expect((await act(merchant, no, "receive")).status).toBe(200);
    const twice = await act(merchant, no, "receive");
    expect(twice.status).toBe(409);
    const returned = await requestReaches(token, no, "SUCCEEDED");
    expect(returned.refundMinor).toBe(lineA.paidMinor - lineA.unitPaidMinor[0]);

    const after = (await request(url, "GET", `/api/v1/orders/${orderNo}`, { token })).body;
    const a = after.lines.find((l: any) => l.lineId === lineA.lineId);
    expect(a).toMatchObject({ refundedQuantity: 3, refundedMinor: lineA.paidMinor });
    expect(after).toMatchObject({ status: "SHIPPED", afterSalesStatus: "PARTIALLY_REFUNDED" });
    expect(after.amounts.refundedMinor).toBe(lineA.paidMinor);
    // Shipped 3 then 2 came back into the warehouse.
    await waitFor("the returned units to be on hand", async () => {
      const s = await stockOf(skus[0] as string, wh);
      return s?.onHand === 9 && s.reserved === 0;
    });
    const nothingLeft = await ask(token, orderNo, {
      type: "REFUND_ONLY",
      lines: [{ lineId: lineA.lineId, quantity: 1 }],
      reason: "again",
    });
    expect(nothingLeft.status).toBe(422);
    const lineOfAnother = await ask(token, orderNo, {
      type: "REFUND_ONLY",
      lines: [{ lineId: "L99", quantity: 1 }],
      reason: "not mine",
    });
    expect(lineOfAnother.body.error.details.field).toBe("lines[0].lineId");
    expect(lineB.refundedQuantity).toBe(0);
  });

  it("exchanges a unit: return received, replacement shipped as a new package, SUCCEEDED when it is signed", async () => {
    const { shopId, wh, merchant } = await shopWith([]);
    // The buyer bought as many as the limit allows: a replacement is no new purchase, so it still ships.
    const skus = [
      await catalog.sku({ shopId, priceMinor: 8_800, stock: { [wh]: 10 }, purchaseLimitPerUser: 2 }),
    ];
    const otherShop = await shopWith([100]);
    const { token, order, orderNo } = await paidOrder(catalog, [{ skuId: skus[0] as string, quantity: 2 }]);
    await shipAll(merchant, orderNo);
    await orderReaches(url, token, orderNo, "SHIPPED");
    const created = await ask(token, orderNo, {
      type: "EXCHANGE",
      lines: [{ lineId: order.lines[0].lineId, quantity: 1 }],
      reason: "too small",
    });
    expect(created.status).toBe(201);
    expect(created.body.refundMinor).toBe(0);
    const no = created.body.afterSalesNo;
    const foreign = await act(otherShop.merchant, no, "approve");
    expect(foreign.status).toBe(404);
    expect((await act(merchant, no, "approve")).status).toBe(200);
    const trackingNo = `SF${Date.now().toString().slice(-12).padStart(12, "0")}`;
    expect((await act(token, no, "return-shipment", { carrier: "SF", trackingNo })).status).toBe(200);
    expect((await act(merchant, no, "receive")).status).toBe(200);
    let replacement: any;
    await waitFor("the replacement package", async () => {
      const packages = (await request(url, "GET", `/api/v1/orders/${orderNo}/packages`, { token: merchant }))
        .body.items;
      replacement = packages.find((p: any) => p.afterSalesNo === no);
      return replacement !== undefined;
    });
    expect(replacement.lines).toEqual([expect.objectContaining({ skuId: skus[0], quantity: 1 })]);
    const shipped = await ship(url, merchant, replacement.packageId, {
      method: "ONLINE_WAYBILL",
      carrier: "SF",
    });
    await trackingEvent(url, "SF", shipped.trackingNo, { status: "SIGNED" });
    const done = await requestReaches(token, no, "SUCCEEDED");
    expect(done.refundNo).toBeNull();
    const after = (await request(url, "GET", `/api/v1/orders/${orderNo}`, { token })).body;
    expect(after).toMatchObject({ status: "SHIPPED", afterSalesStatus: "NONE" });
    expect(after.amounts.refundedMinor).toBe(0);
    // 2 shipped, 1 came back, 1 replacement shipped: on hand 10 - 2 + 1 - 1.
    await waitFor("stock to settle", async () => {
      const s = await stockOf(skus[0] as string, wh);
      return s?.onHand === 8 && s.reserved === 0;
    });
  });

  it("runs the automatic deadlines: auto-approve, return timeout, auto-receive", async () => {
    await setTimers({ afterSalesReviewTimeout: "2s", buyerReturnTimeout: "4s", autoReceiveAfter: "2s" });
    const { skus, merchant } = await shopWith([5_000]);
    const orders = [];
    for (let i = 0; i < 3; i++)
      orders.push(await paidOrder(catalog, [{ skuId: skus[0] as string, quantity: 1 }]));
    await setTimers(saved);
    for (const o of orders) await shipAll(merchant, o.orderNo);
    for (const o of orders) await orderReaches(url, o.token, o.orderNo, "SHIPPED");
    const [refundOnly, noReturn, autoReceive] = await Promise.all(
      orders.map((o, i) =>
        ask(o.token, o.orderNo, {
          type: i === 0 ? "REFUND_ONLY" : "RETURN_REFUND",
          lines: [{ lineId: o.order.lines[0].lineId, quantity: 1 }],
          reason: "deadline test",
        }).then((r) => expectOk(r, "ask")),
      ),
    );
    const [a, b, c] = orders as [any, any, any];

    // Nobody reviews: approved automatically, and the refund-only request is paid out.
    const approved = await requestReaches(a.token, refundOnly.afterSalesNo, "SUCCEEDED");
    // After shipment the shipping fee stays with the shop.
    expect(approved.refundMinor).toBe(a.order.amounts.paidMinor - a.order.amounts.shippingFeeMinor);
    await requestReaches(b.token, noReturn.afterSalesNo, "AWAITING_BUYER_RETURN");
    await requestReaches(c.token, autoReceive.afterSalesNo, "AWAITING_BUYER_RETURN");
    const trackingNo = `YT${(Date.now() + 7).toString().slice(-13).padStart(13, "0")}`;
    expectOk(
      await act(c.token, autoReceive.afterSalesNo, "return-shipment", { carrier: "YTO", trackingNo }),
      "ship back",
    );

    // The buyer who never ships back: closed. The parcel nobody receives: received automatically and refunded.
    const closed = await requestReaches(b.token, noReturn.afterSalesNo, "CLOSED");
    expect(closed.closeReason).toBe("RETURN_TIMEOUT");
    const received = await requestReaches(c.token, autoReceive.afterSalesNo, "SUCCEEDED");
    expect(received.receivedAt).not.toBeNull();
    const timeline = (
      await request(url, "GET", `/api/v1/after-sales/${autoReceive.afterSalesNo}`, { token: c.token })
    ).body.timeline;
    expect(timeline.map((e: any) => e.event)).toEqual([
      "create",
      "review.timeout",
      "buyer.shipped",
      "receive.timeout",
      "refund.succeeded",
    ]);
    const noReturnOrder = (await request(url, "GET", `/api/v1/orders/${b.orderNo}`, { token: b.token })).body;
    expect(noReturnOrder.afterSalesStatus).toBe("NONE");
  });

  it("refuses requests on unpaid or finished orders, by other buyers, and acts by the wrong role", async () => {
    const { skus, merchant } = await shopWith([1_000]);
    const { token, order, orderNo } = await paidOrder(catalog, [{ skuId: skus[0] as string, quantity: 1 }]);
    const stranger = (await paidOrder(catalog, [{ skuId: skus[0] as string, quantity: 1 }])).token;
    const line = { lineId: order.lines[0].lineId, quantity: 1 };
    const notMine = await ask(stranger, orderNo, { type: "REFUND_ONLY", lines: [line], reason: "x" });
    expect(notMine.status).toBe(404);
    const returnBeforeShipping = await ask(token, orderNo, {
      type: "RETURN_REFUND",
      lines: [line],
      reason: "x",
    });
    expect(returnBeforeShipping.status).toBe(409);
    const byMerchant = await ask(merchant, orderNo, { type: "REFUND_ONLY", lines: [line], reason: "x" });
    expect(byMerchant.status).toBe(403);
    const badType = await ask(token, orderNo, { type: "SWAP", lines: [line], reason: "x" });
    expect(badType.status).toBe(422);

    const created = expectOk(
      await ask(token, orderNo, { type: "REFUND_ONLY", lines: [line], reason: "x" }),
      "ask",
    );
    const buyerApproves = await act(token, created.afterSalesNo, "approve");
    expect(buyerApproves.status).toBe(403);
    const rejected = expectOk(
      await act(merchant, created.afterSalesNo, "reject", { reason: "used" }),
      "reject",
    );
    expect(rejected).toMatchObject({ status: "REJECTED", rejectReason: "used" });
    const list = expectOk(
      await request(url, "GET", "/api/v1/after-sales?status=REJECTED", { token }),
      "list",
    );
    expect(list.items.map((r: any) => r.afterSalesNo)).toEqual([created.afterSalesNo]);
    const shopList = expectOk(
      await request(url, "GET", "/api/v1/after-sales", { token: merchant }),
      "shop list",
    );
    expect(shopList.items.some((r: any) => r.afterSalesNo === created.afterSalesNo)).toBe(true);
    const strangerList = expectOk(
      await request(url, "GET", "/api/v1/after-sales", { token: stranger }),
      "list",
    );
    expect(strangerList.items).toEqual([]);
  });
});
