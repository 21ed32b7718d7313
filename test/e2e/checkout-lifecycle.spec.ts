import { address, CatalogBuilder, expectOk, uniqueId } from "../support/catalog";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem, waitFor } from "../support/system";

describe("orders before payment", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;
  let shop: string;
  let wh: string;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
    shop = uniqueId("shop");
    wh = await catalog.warehouse(["Zhejiang"]);
  });
  afterAll(() => system.stop());

  /** A buyer with a SUPER tier, coins and a platform coupon, and a SKU of 10 units. */
  async function scenario() {
    const buyerId = uniqueId("buyer");
    const skuId = await catalog.sku({ shopId: shop, priceMinor: 25_000, stock: { [wh]: 10 } });
    const tpl = await catalog.couponTemplate({
      scope: "PLATFORM",
      thresholdMinor: 10_000,
      discountMinor: 1_000,
    });
    const couponId = await catalog.issueCoupon(tpl, buyerId);
    await catalog.member(buyerId, "GOLD", 2_000);
    const token = await devToken(url, buyerId, "buyer");
    const body = {
      lines: [{ skuId, quantity: 2 }],
      address: address(),
      couponIds: [couponId],
      coins: 500,
      sourceChannel: "H5",
    };
    return { buyerId, skuId, couponId, token, body };
  }

  async function holdsReturned(s: Awaited<ReturnType<typeof scenario>>) {
    const stock = (await catalog.stock(s.skuId)).find((x) => x.warehouseId === wh);
    const coupons = expectOk(await request(url, "GET", "/api/v1/me/coupons", { token: s.token }), "coupons");
    const coupon = (coupons.items ?? coupons).find((c: any) => c.couponId === s.couponId);
    const member = expectOk(await request(url, "GET", "/api/v1/me/member", { token: s.token }), "member");
    return (
      stock?.reserved === 0 &&
      stock.available === 10 &&
      coupon?.status === "AVAILABLE" &&
      member.coins === 2_000
    );
  }

  it("returns the same parent order for a retried Idempotency-Key and refuses the key with another body", async () => {
    const s = await scenario();
    const key = uniqueId("key");
    const first = await request(url, "POST", "/api/v1/orders", {
      token: s.token,
      body: s.body,
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    const again = await request(url, "POST", "/api/v1/orders", {
      token: s.token,
      body: s.body,
      headers: { "idempotency-key": key },
    });
    expect(again.status).toBe(201);
    expect(again.body.parentOrderNo).toBe(first.body.parentOrderNo);
    // Both answers say where the checkout is read.
    const location = `/api/v1/parent-orders/${first.body.parentOrderNo}`;
    expect([first.headers.get("location"), again.headers.get("location")]).toEqual([location, location]);
    expect((await request(url, "GET", location, { token: s.token })).status).toBe(200);
    const other = await request(url, "POST", "/api/v1/orders", {
      token: s.token,
      body: { ...s.body, buyerNote: "different" },
      headers: { "idempotency-key": key },
    });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const list = expectOk(
      await request(url, "GET", `/api/v1/orders?skuId=${s.skuId}`, { token: s.token }),
      "list",
    );
    expect(list.items).toHaveLength(1);
  });

  it("creates one order for concurrent requests with the same key", async () => {
    const s = await scenario();
    const key = uniqueId("key");
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(url, "POST", "/api/v1/orders", {
          token: s.token,
          body: s.body,
          headers: { "idempotency-key": key },
        }),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.parentOrderNo)).size).toBe(1);
    for (const a of answers.filter((x) => x.status !== 201))
      expect(a.body.error.code).toBe("REQUEST_IN_PROGRESS");
    const list = expectOk(
      await request(url, "GET", `/api/v1/orders?skuId=${s.skuId}`, { token: s.token }),
      "list",
    );
    expect(list.items).toHaveLength(1);
  });

  it("cancels before payment and returns stock, coupon and coins", async () => {
    const s = await scenario();
    const created = expectOk(
      await request(url, "POST", "/api/v1/orders", { token: s.token, body: s.body }),
      "order",
    );
    const orderNo = created.orders[0].orderNo;
    const cancelled = await request(url, "POST", `/api/v1/orders/${orderNo}/cancel`, {
      token: s.token,
      body: { reason: "changed my mind" },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("CLOSED");
    expect(cancelled.body.closeReason).toContain("BUYER_CANCELLED");
    await waitFor("holds returned after cancel", () => holdsReturned(s));
    const again = await request(url, "POST", `/api/v1/orders/${orderNo}/cancel`, {
      token: s.token,
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("INVALID_TRANSITION");
    const timeline = expectOk(
      await request(url, "GET", `/api/v1/orders/${orderNo}/timeline`, { token: s.token }),
      "timeline",
    );
    expect(timeline.items.map((e: any) => e.event)).toEqual(["order.placed", "cancel"]);
    expect(timeline.items[1]).toMatchObject({
      from: "PENDING_PAYMENT",
      to: "CLOSED",
      role: "buyer",
      actor: s.buyerId,
    });
  });

  it("closes an unpaid order when a 1 s payment timeout fires and returns every hold", async () => {
    const admin = catalog.adminToken;
    const before = expectOk(
      await request(url, "GET", "/api/v1/admin/order-types/STANDARD", { token: admin }),
      "read config",
    );
    expectOk(
      await request(url, "PUT", "/api/v1/admin/order-types/STANDARD", {
        token: admin,
        body: { paymentTimeout: "1s" },
      }),
      "set timeout",
    );
    try {
      const s = await scenario();
      const created = expectOk(
        await request(url, "POST", "/api/v1/orders", { token: s.token, body: s.body }),
        "order",
      );
      const orderNo = created.orders[0].orderNo;
      await waitFor("the order to close", async () => {
        const res = await request(url, "GET", `/api/v1/orders/${orderNo}`, { token: s.token });
        return res.body.status === "CLOSED";
      });
      const detail = expectOk(
        await request(url, "GET", `/api/v1/orders/${orderNo}`, { token: s.token }),
        "detail",
      );
      expect(detail.closeReason).toBe("PAYMENT_TIMEOUT");
      expect(detail.viewStatus).toBe("CLOSED");
      await waitFor("holds returned after timeout", () => holdsReturned(s));
    } finally {
      await request(url, "PUT", "/api/v1/admin/order-types/STANDARD", {
        token: admin,
        body: { paymentTimeout: `${before.paymentTimeoutMs}ms` },
      });
    }
  });

  it("lets a merchant cancel only its own child order of a two-shop checkout", async () => {
    const s = await scenario();
    const otherShop = uniqueId("shop");
    const other = await catalog.sku({ shopId: otherShop, priceMinor: 8_000, stock: { [wh]: 10 } });
    const body = {
      ...s.body,
      couponIds: [],
      coins: 0,
      lines: [...s.body.lines, { skuId: other, quantity: 1 }],
    };
    const created = expectOk(await request(url, "POST", "/api/v1/orders", { token: s.token, body }), "order");
    const mine = created.orders.find((o: any) => o.shopId === shop);
    const theirs = created.orders.find((o: any) => o.shopId === otherShop);
    const merchant = await catalog.merchantToken(shop);
    const foreign = await request(url, "POST", `/api/v1/orders/${theirs.orderNo}/cancel`, {
      token: merchant,
      body: {},
    });
    expect(foreign.status).toBe(404);
    const res = await request(url, "POST", `/api/v1/orders/${mine.orderNo}/cancel`, {
      token: merchant,
      body: { reason: "out of season" },
    });
    expect(res.status).toBe(200);
    expect(res.body.closeReason).toBe("MERCHANT_CANCELLED: out of season");
    const parent = expectOk(
      await request(url, "GET", `/api/v1/parent-orders/${created.parentOrderNo}`, { token: s.token }),
      "parent",
    );
    const statuses = Object.fromEntries(parent.orders.map((o: any) => [o.shopId, o.status]));
    expect(statuses).toEqual({ [shop]: "CLOSED", [otherShop]: "PENDING_PAYMENT" });
    expect(parent.payableMinor).toBe(theirs.amounts.payableMinor);
    await waitFor("the cancelled child's stock to return", async () => {
      const stock = (await catalog.stock(s.skuId)).find((x) => x.warehouseId === wh);
      return stock?.reserved === 0;
    });
    expect((await catalog.stock(other)).find((x) => x.warehouseId === wh)).toMatchObject({ reserved: 1 });
  });

  /** The buyer's coins balance and the status of each of their coupons. */
  async function wallet(token: string) {
    const coupons = expectOk(await request(url, "GET", "/api/v1/me/coupons", { token }), "coupons");
    const member = expectOk(await request(url, "GET", "/api/v1/me/member", { token }), "member");
    const status = Object.fromEntries((coupons.items as any[]).map((c) => [c.couponId, c.status]));
    return { coins: member.coins as number, status };
  }

  it("returns a merchant-cancelled child's shop coupon and coins share at once, and the rest with the last child", async () => {
    const s = await scenario();
    const shopTemplate = await catalog.couponTemplate({
      scope: "SHOP",
      shopId: shop,
      thresholdMinor: 10_000,
      discountMinor: 2_000,
    });
    const shopCoupon = await catalog.issueCoupon(shopTemplate, s.buyerId);
    const otherShop = uniqueId("shop");
    const other = await catalog.sku({ shopId: otherShop, priceMinor: 8_000, stock: { [wh]: 10 } });
    const body = {
      ...s.body,
      couponIds: [shopCoupon, s.couponId],
      lines: [...s.body.lines, { skuId: other, quantity: 1 }],
    };
    const created = expectOk(await request(url, "POST", "/api/v1/orders", { token: s.token, body }), "order");
    const mine = created.orders.find((o: any) => o.shopId === shop);
    const theirs = created.orders.find((o: any) => o.shopId === otherShop);
    expect(mine.lines[0].allocations).toContainEqual(
      expect.objectContaining({ kind: "SHOP_COUPON", sourceId: shopCoupon }),
    );
    // The default policy is 100 coins = 1 yuan: one coin per fen, so a child's share is its coins deduction.
    const share = mine.amounts.coinsDeductionMinor;
    expect(share + theirs.amounts.coinsDeductionMinor).toBe(500);
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(500);
    expect(await wallet(s.token)).toMatchObject({ coins: 1_500 });

    const merchant = await catalog.merchantToken(shop);
    const cancelled = await request(url, "POST", `/api/v1/orders/${mine.orderNo}/cancel`, {
      token: merchant,
      body: { reason: "out of stock" },
    });
    expect(cancelled.status).toBe(200);
    await waitFor("shop A's coupon and coins share to return", async () => {
      const w = await wallet(s.token);
      return w.status[shopCoupon] === "AVAILABLE" && w.coins === 1_500 + share;
    });
    const partly = await wallet(s.token);
    expect(partly.coins).toBe(1_500 + share);
    expect(partly.status[s.couponId]).toBe("LOCKED");

    const rest = await request(url, "POST", `/api/v1/orders/${theirs.orderNo}/cancel`, {
      token: s.token,
      body: {},
    });
    expect(rest.status).toBe(200);
    await waitFor("every hold to return once the last child closes", async () => {
      const w = await wallet(s.token);
      const stock = [...(await catalog.stock(s.skuId)), ...(await catalog.stock(other))];
      return (
        w.coins === 2_000 &&
        w.status[shopCoupon] === "AVAILABLE" &&
        w.status[s.couponId] === "AVAILABLE" &&
        stock.every((x) => x.reserved === 0)
      );
    });
    expect((await wallet(s.token)).coins).toBe(2_000);
  });

  it("lets an operator cancel any checkout", async () => {
    const s = await scenario();
    const created = expectOk(
      await request(url, "POST", "/api/v1/orders", { token: s.token, body: s.body }),
      "order",
    );
    const res = await request(url, "POST", `/api/v1/orders/${created.orders[0].orderNo}/cancel`, {
      token: catalog.adminToken,
      body: { reason: "risk review" },
    });
    expect(res.status).toBe(200);
    expect(res.body.closeReason).toBe("ADMIN_CANCELLED: risk review");
    await waitFor("holds returned after an operator's cancel", () => holdsReturned(s));
  });

  it("closes a flash-sale checkout on the campaign's shorter payment timeout", async () => {
    const s = await scenario();
    const now = Date.now();
    expectOk(
      await request(url, "POST", "/api/v1/campaigns", {
        token: catalog.adminToken,
        body: {
          campaignId: uniqueId("flash"),
          kind: "FLASH_PRICE",
          shopId: shop,
          skuIds: [s.skuId],
          flashPriceMinor: 19_900,
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 3_600_000).toISOString(),
          paymentTimeout: "1s",
        },
      }),
      "flash campaign",
    );
    const created = expectOk(
      await request(url, "POST", "/api/v1/orders", {
        token: s.token,
        body: { ...s.body, couponIds: [], coins: 0 },
      }),
      "order",
    );
    expect(new Date(created.paymentDeadline).getTime() - Date.now()).toBeLessThan(5_000);
    expect(created.orders[0].lines[0].campaignId).toEqual(expect.any(String));
    await waitFor("the flash-sale order to close", async () => {
      const res = await request(url, "GET", `/api/v1/orders/${created.orders[0].orderNo}`, {
        token: s.token,
      });
      return res.body.closeReason === "PAYMENT_TIMEOUT";
    });
  });

  it("shows a buyer only their orders and a merchant only its shop's; others get 404", async () => {
    const s = await scenario();
    const created = expectOk(
      await request(url, "POST", "/api/v1/orders", { token: s.token, body: s.body }),
      "order",
    );
    const orderNo = created.orders[0].orderNo;
    const stranger = await devToken(url, uniqueId("buyer"), "buyer");
    const otherShop = await catalog.merchantToken(uniqueId("shop"));
    const ownShop = await catalog.merchantToken(shop);
    expect((await request(url, "GET", `/api/v1/orders/${orderNo}`, { token: stranger })).status).toBe(404);
    expect((await request(url, "GET", `/api/v1/orders/${orderNo}`, { token: otherShop })).status).toBe(404);
    const merchantView = expectOk(
      await request(url, "GET", `/api/v1/orders/${orderNo}`, { token: ownShop }),
      "merchant",
    );
    expect(merchantView.viewStatus).toBe("AWAITING_PAYMENT");
    expect(merchantView.actions).toContain("CHANGE_PRICE");
    const strangerList = expectOk(await request(url, "GET", "/api/v1/orders", { token: stranger }), "list");
    expect(strangerList.items).toEqual([]);
    const merchantList = expectOk(
      await request(url, "GET", `/api/v1/orders?tab=AWAITING_PAYMENT&skuId=${s.skuId}`, { token: ownShop }),
      "list",
    );
    expect(merchantList.items.map((o: any) => o.orderNo)).toEqual([orderNo]);
    const wrongTab = await request(url, "GET", "/api/v1/orders?tab=TO_PAY", { token: ownShop });
    expect(wrongTab.status).toBe(422);
    expect(wrongTab.body.error.details.field).toBe("tab");
  });

  it("pages a buyer's list by cursor, newest first, filtered by tab", async () => {
    const s = await scenario();
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = expectOk(
        await request(url, "POST", "/api/v1/orders", {
          token: s.token,
          body: { ...s.body, couponIds: [], coins: 0, lines: [{ skuId: s.skuId, quantity: 1 }] },
        }),
        "order",
      );
      made.unshift(created.orders[0].orderNo);
    }
    const page1 = expectOk(
      await request(url, "GET", "/api/v1/orders?tab=TO_PAY&limit=2", { token: s.token }),
      "page 1",
    );
    expect(page1.items.map((o: any) => o.orderNo)).toEqual(made.slice(0, 2));
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = expectOk(
      await request(url, "GET", `/api/v1/orders?tab=TO_PAY&limit=2&cursor=${page1.nextCursor}`, {
        token: s.token,
      }),
      "page 2",
    );
    expect(page2.items.map((o: any) => o.orderNo)).toEqual(made.slice(2));
    expect(page2.nextCursor).toBeNull();
    const closedTab = expectOk(
      await request(url, "GET", "/api/v1/orders?tab=CLOSED", { token: s.token }),
      "closed",
    );
    expect(closedTab.items).toEqual([]);
  });

  it("lets the merchant cut a price before payment and re-allocates the discounts", async () => {
    const s = await scenario();
    const created = expectOk(
      await request(url, "POST", "/api/v1/orders", { token: s.token, body: s.body }),
      "order",
    );
    const order = created.orders[0];
    const merchant = await catalog.merchantToken(shop);
    const res = await request(url, "POST", `/api/v1/orders/${order.orderNo}/price-adjustments`, {
      token: merchant,
      body: { lines: [{ lineId: order.lines[0].lineId, unitPriceMinor: 20_000 }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.amounts.payableMinor).toBeLessThan(order.amounts.payableMinor);
    const line = res.body.lines[0];
    const cut = line.allocations.filter((a: any) => a.kind === "PRICE_ADJUSTMENT");
    // The new price replaces the unit price after item and member steps: GOLD pays 99% of 25,000 = 24,750.
    expect(cut).toEqual([expect.objectContaining({ funder: "SHOP", amountMinor: 2 * (24_750 - 20_000) })]);
    expect(line.unitPriceMinor).toBe(25_000);
    expect(line.paidMinor).toBe(
      line.goodsMinor - line.allocations.reduce((sum: number, a: any) => sum + a.amountMinor, 0),
    );
    const timeline = expectOk(
      await request(url, "GET", `/api/v1/orders/${order.orderNo}/timeline`, { token: s.token }),
      "timeline",
    );
    const entry = timeline.items.find((e: any) => e.event === "price.changed");
    expect(entry.changes[0].field).toBe("price");
    const byBuyer = await request(url, "POST", `/api/v1/orders/${order.orderNo}/price-adjustments`, {
      token: s.token,
      body: { lines: [{ lineId: order.lines[0].lineId, unitPriceMinor: 1 }] },
    });
    expect(byBuyer.status).toBe(403);
  });

  it("changes the address before shipment with the before and after in the timeline", async () => {
    const s = await scenario();
    const created = expectOk(
      await request(url, "POST", "/api/v1/orders", { token: s.token, body: s.body }),
      "order",
    );
    const orderNo = created.orders[0].orderNo;
    const next = { ...address("Jiangsu"), city: "Suzhou" };
    const res = await request(url, "PATCH", `/api/v1/orders/${orderNo}/address`, {
      token: s.token,
      body: next,
    });
    expect(res.status).toBe(200);
    expect(res.body.address).toMatchObject(next);
    const timeline = expectOk(
      await request(url, "GET", `/api/v1/orders/${orderNo}/timeline`, { token: s.token }),
      "timeline",
    );
    const entry = timeline.items.find((e: any) => e.event === "address.changed");
    expect(entry.changes[0]).toMatchObject({
      field: "address",
      before: { province: "Zhejiang" },
      after: { province: "Jiangsu" },
    });
  });
});
