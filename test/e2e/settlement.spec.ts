import type { OrderService } from "../../services/order/order.service";
import { paymentLedger, runDailyReconciliation } from "../../services/order/settlement/settlement-queries";
import { addDays, dayStart, shanghaiDay } from "../../services/order/stats/stats-period";
import { expectOk, uniqueId } from "../support/catalog";
import { request } from "../support/http";
import {
  completeInSandbox,
  placeCheckout,
  settledOrders,
  soldOutRace,
  startPayment,
} from "../support/payment-flow";
import { useSystem, waitFor } from "../support/system";

const FIGURES = [
  "goodsPaidMinor",
  "shopFundedDiscountMinor",
  "platformFundedDiscountMinor",
  "shippingFeeMinor",
  "refundMinor",
] as const;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const funded = (line: any, funder: string) =>
  sum(line.allocations.filter((a: any) => a.funder === funder).map((a: any) => a.amountMinor));
/** The first of `quantity` units' part of a share: largest remainder gives earlier units the odd fen. */
const firstUnit = (line: any, funder: string) =>
  sum(
    line.allocations
      .filter((a: any) => a.funder === funder)
      .map((a: any) => Math.ceil(a.amountMinor / line.quantity)),
  );

describe("settlement and reconciliation", () => {
  const suite = useSystem();
  const get = (path: string, token: string) => request(suite.url, "GET", `/api/v1${path}`, { token });

  /**
   * A checkout over two shops with a shop coupon, a platform coupon, a member benefit and coins, paid; then
   * one unit of shop A's first line refunded through after-sales.
   */
  async function settledCheckout() {
    const { url, catalog } = suite;
    const { shopA, shopB, tea, buyer, body } = await catalog.twoShopCart();
    const checkout = expectOk(
      await request(url, "POST", "/api/v1/orders", { token: buyer, body }),
      "place order",
    );
    const payment = await startPayment(url, buyer, checkout.parentOrderNo);
    await completeInSandbox(url, payment.providerPaymentNo);
    const paid = await settledOrders(url, buyer, checkout.parentOrderNo);
    expect(paid.map((o: any) => o.status)).toEqual(["AWAITING_SHIPMENT", "AWAITING_SHIPMENT"]);
    const detail = async (orderNo: string) => expectOk(await get(`/orders/${orderNo}`, buyer), "order");
    const orderA = await detail(paid.find((o: any) => o.shopId === shopA).orderNo);
    const orderB = await detail(paid.find((o: any) => o.shopId === shopB).orderNo);

    const merchantA = await catalog.merchantToken(shopA);
    const teaLine = orderA.lines.find((l: any) => l.skuId === tea);
    const asked = expectOk(
      await request(url, "POST", `/api/v1/orders/${orderA.orderNo}/after-sales`, {
        token: buyer,
        body: {
          type: "REFUND_ONLY",
          lines: [{ lineId: teaLine.lineId, quantity: 1 }],
          reason: "one too many",
        },
      }),
      "after-sales",
    );
    expectOk(
      await request(url, "POST", `/api/v1/after-sales/${asked.afterSalesNo}/approve`, { token: merchantA }),
      "approve",
    );
    let refunded: any;
    await waitFor("the refund", async () => {
      refunded = (await get(`/after-sales/${asked.afterSalesNo}`, buyer)).body;
      return refunded.status === "SUCCEEDED";
    });
    return {
      shopA,
      shopB,
      buyer,
      merchantA,
      orderA,
      orderB,
      teaLine,
      refunded,
      paymentNo: payment.paymentNo,
    };
  }

  let s: Awaited<ReturnType<typeof settledCheckout>>;
  let period: string;
  beforeAll(async () => {
    s = await settledCheckout();
    // Two Shanghai days around the orders, so a run across midnight still covers them.
    const day = shanghaiDay(new Date(s.orderA.paidAt));
    period = `from=${addDays(day, -1)}&to=${addDays(day, 1)}`;
  });

  it("gives a shop what its buyers paid, the discounts by funder net of refunded units, the refunds and the net", async () => {
    const { orderA, teaLine, refunded } = s;
    const body = expectOk(await get(`/settlements?${period}`, s.merchantA), "settlement");
    expect(body.items).toHaveLength(1);
    const [a] = body.items;
    const expected = {
      shopId: s.shopA,
      orders: 1,
      refunds: 1,
      goodsPaidMinor: sum(orderA.lines.map((l: any) => l.paidMinor)),
      shopFundedDiscountMinor:
        sum(orderA.lines.map((l: any) => funded(l, "SHOP"))) - firstUnit(teaLine, "SHOP"),
      platformFundedDiscountMinor:
        sum(orderA.lines.map((l: any) => funded(l, "PLATFORM"))) - firstUnit(teaLine, "PLATFORM"),
      shippingFeeMinor: orderA.amounts.shippingFeeMinor,
      refundMinor: refunded.refundMinor,
    };
    expect(a).toEqual({
      ...expected,
      netSettlementMinor:
        expected.goodsPaidMinor +
        expected.platformFundedDiscountMinor +
        expected.shippingFeeMinor -
        expected.refundMinor,
    });
    // Every kind of discount of the checkout is in there, funded by the one who gave it.
    expect(expected.shopFundedDiscountMinor).toBeGreaterThan(0);
    expect(expected.platformFundedDiscountMinor).toBeGreaterThan(0);
    // The goods paid and shipping are what the buyer paid for shop A's order.
    expect(a.goodsPaidMinor + a.shippingFeeMinor).toBe(orderA.amounts.paidMinor);
  });

  it("lists the order lines behind every figure, each figure the sum of its column, paged", async () => {
    const whole = expectOk(await get(`/settlements?${period}&includeLines=true`, s.merchantA), "lines");
    const [a] = whole.items;
    expect(whole.nextCursor).toBeNull();
    for (const figure of FIGURES) expect(sum(a.lines.map((l: any) => l[figure]))).toBe(a[figure]);
    const sales = a.lines.filter((l: any) => l.kind === "SALE" && l.lineId !== null);
    expect(sales.map((l: any) => l.lineId).sort()).toEqual(s.orderA.lines.map((l: any) => l.lineId).sort());
    const back = a.lines.filter((l: any) => l.kind === "REFUND");
    expect(back).toEqual([
      expect.objectContaining({
        orderNo: s.orderA.orderNo,
        lineId: s.teaLine.lineId,
        skuId: s.teaLine.skuId,
        quantity: 1,
        refundMinor: s.refunded.refundMinor,
        shopFundedDiscountMinor: -firstUnit(s.teaLine, "SHOP"),
        platformFundedDiscountMinor: -firstUnit(s.teaLine, "PLATFORM"),
        afterSalesNo: s.refunded.afterSalesNo,
      }),
    ]);

    const paged: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = expectOk(
        await get(
          `/settlements?${period}&includeLines=true&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
          s.merchantA,
        ),
        "page",
      );
      expect(page.items[0].lines.length).toBeLessThanOrEqual(2);
      paged.push(...page.items[0].lines);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(a.lines);
  });

  it("shows an operator any shop, every shop with activity, and keeps merchants to their own", async () => {
    const admin = suite.catalog.adminToken;
    const b = expectOk(await get(`/settlements?${period}&shopId=${s.shopB}`, admin), "shop B").items;
    expect(b).toEqual([
      expect.objectContaining({
        shopId: s.shopB,
        goodsPaidMinor: s.orderB.lines[0].paidMinor,
        refundMinor: 0,
        platformFundedDiscountMinor: funded(s.orderB.lines[0], "PLATFORM"),
      }),
    ]);
    const all: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = expectOk(
        await get(`/settlements?${period}&limit=50${cursor ? `&cursor=${cursor}` : ""}`, admin),
        "all shops",
      );
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(all.map((i) => i.shopId)).toEqual(expect.arrayContaining([s.shopA, s.shopB]));

    expect((await get(`/settlements?${period}&shopId=${s.shopB}`, s.merchantA)).status).toBe(403);
    expect((await get(`/settlements?${period}`, s.buyer)).status).toBe(403);
    const noShop = await get(`/settlements?${period}&includeLines=true`, admin);
    expect(noShop.status).toBe(422);
    expect(noShop.body.error.details.field).toBe("shopId");
    const badFrom = await get("/settlements?from=yesterday", admin);
    expect(badFrom.status).toBe(422);
    expect(badFrom.body.error.details.field).toBe("from");
    const badCursor = await get(`/settlements?${period}&cursor=nonsense`, admin);
    expect(badCursor.status).toBe(422);
    expect(badCursor.body.error.details.field).toBe("cursor");
    // A shop without activity has a settlement of zeros.
    const quiet = expectOk(await get(`/settlements?${period}&shopId=${uniqueId("quiet")}`, admin), "quiet");
    expect(quiet.items[0]).toMatchObject({ goodsPaidMinor: 0, refundMinor: 0, netSettlementMinor: 0 });
  });

  it("settles a child closed sold out after payment at zero, and gives no shop a payment that came after close", async () => {
    const { url, catalog } = suite;
    const {
      won: [won],
      loser,
      loserPayment,
    } = await soldOutRace(catalog);
    const shopId = won.shopId;
    await completeInSandbox(url, loserPayment.providerPaymentNo);
    const [lost] = await settledOrders(url, loser.token, loser.checkout.parentOrderNo);
    expect(lost).toMatchObject({ status: "CLOSED", closeReason: "OUT_OF_STOCK" });

    // A payment that arrives after its order was cancelled is refunded whole: no shop's sale.
    const late = await placeCheckout(catalog);
    const latePayment = await startPayment(url, late.token, late.checkout.parentOrderNo);
    expectOk(
      await request(url, "POST", `/api/v1/orders/${late.checkout.orders[0].orderNo}/cancel`, {
        token: late.token,
        body: { reason: "changed my mind" },
      }),
      "cancel",
    );
    await completeInSandbox(url, latePayment.providerPaymentNo);

    const admin = catalog.adminToken;
    let settled: any;
    await waitFor("the sold-out child's refund in the settlement", async () => {
      settled = expectOk(await get(`/settlements?${period}&shopId=${shopId}&includeLines=true`, admin), "s")
        .items[0];
      return settled.refunds === 1;
    });
    expect(settled).toMatchObject({
      orders: 2,
      goodsPaidMinor: 2 * 7_777,
      refundMinor: lost.amounts.payableMinor,
      netSettlementMinor: won.amounts.paidMinor,
    });
    const refundLines = settled.lines.filter((l: any) => l.kind === "REFUND");
    expect(sum(refundLines.map((l: any) => l.refundMinor))).toBe(lost.amounts.payableMinor);
    expect(refundLines.every((l: any) => l.orderNo === lost.orderNo)).toBe(true);

    // The late payment's money is in and out again, which the reconciliation accepts once refunded.
    let paidAt = "";
    await waitFor("the late payment refunded", async () => {
      const p = expectOk(await get(`/payments/${latePayment.paymentNo}`, late.token), "payment");
      paidAt = p.paidAt;
      return p.refundedMinor === p.paidMinor && p.paidMinor > 0;
    });
    await waitFor("the late payment reconciled", async () => {
      const body = expectOk(
        await get(`/admin/reconciliation?date=${shanghaiDay(new Date(paidAt))}`, admin),
        "reconciliation",
      );
      return !body.mismatches.some((m: any) => m.paymentNo === latePayment.paymentNo);
    });
    const lateShop = late.checkout.orders[0].shopId;
    expect(
      expectOk(await get(`/settlements?${period}&shopId=${lateShop}`, admin), "late shop").items[0],
    ).toMatchObject({ orders: 0, refunds: 0, refundMinor: 0, netSettlementMinor: 0 });
  });

  it("finds the day's payments and refunds in the orders, and lists every mismatch between them", async () => {
    const admin = suite.catalog.adminToken;
    const date = shanghaiDay(new Date(s.orderA.paidAt));
    const ours = (body: any) =>
      body.mismatches.filter((m: any) => m.paymentNo === s.paymentNo || m.refundNo === s.refunded.refundNo);
    const clean = expectOk(await get(`/admin/reconciliation?date=${date}`, admin), "reconciliation");
    expect(clean.date).toBe(date);
    expect(clean.payments.checked).toBeGreaterThanOrEqual(1);
    expect(clean.refunds.checked).toBeGreaterThanOrEqual(1);
    expect(ours(clean)).toEqual([]);

    // What a bug or a hand edit would leave: an order that says it got a fen less, a refund it never heard of.
    const pool = suite.service<OrderService>("order").pool;
    const { rows } = await pool.query("DELETE FROM order_refunds WHERE refund_no = $1 RETURNING *", [
      s.refunded.refundNo,
    ]);
    await pool.query("UPDATE orders SET paid_minor = paid_minor - 1 WHERE order_no = $1", [s.orderB.orderNo]);
    try {
      const found = ours(expectOk(await get(`/admin/reconciliation?date=${date}`, admin), "reconciliation"));
      expect(found).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: "PAYMENT_AMOUNT_MISMATCH",
            paymentNo: s.paymentNo,
            orderNos: [s.orderA.orderNo, s.orderB.orderNo].sort(),
            ordersMinor: s.orderA.amounts.paidMinor + s.orderB.amounts.paidMinor - 1,
          }),
          expect.objectContaining({
            kind: "REFUND_NOT_ON_ORDERS",
            refundNo: s.refunded.refundNo,
            paymentMinor: s.refunded.refundMinor,
            ordersMinor: 0,
          }),
        ]),
      );
      expect(found).toHaveLength(2);
    } finally {
      await pool.query("UPDATE orders SET paid_minor = paid_minor + 1 WHERE order_no = $1", [
        s.orderB.orderNo,
      ]);
      const r = rows[0];
      await pool.query(
        `INSERT INTO order_refunds (refund_no, payment_no, parent_order_no, order_no, shop_id, after_sales_no,
           amount_minor, lines, reason, refunded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          r.refund_no,
          r.payment_no,
          r.parent_order_no,
          r.order_no,
          r.shop_id,
          r.after_sales_no,
          r.amount_minor,
          JSON.stringify(r.lines),
          r.reason,
          r.refunded_at,
        ],
      );
    }

    // The payment service's side, walked one item per page: each of the day's payments once, in order.
    const seen: string[] = [];
    let after: unknown;
    do {
      const page: any = await suite.system.broker.call("payment.ledger", {
        kind: "payments",
        from: clean.from,
        to: clean.to,
        limit: 1,
        ...(after ? { after } : {}),
      });
      seen.push(...page.items.map((p: any) => `${p.paidAt}|${p.paymentNo}`));
      after = page.next;
    } while (after);
    expect(seen).toHaveLength(clean.payments.checked);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    expect(seen.some((k) => k.endsWith(`|${s.paymentNo}`))).toBe(true);

    expect((await get(`/admin/reconciliation?date=${date}`, s.merchantA)).status).toBe(403);
    expect(clean.dailyRun).toBeNull();
    const bad = await get("/admin/reconciliation?date=2026-02-30", admin);
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.field).toBe("date");
  });

  it("reconciles each day once by itself, two hours after it ended, keeps what it found and tells the operators", async () => {
    const date = shanghaiDay(new Date(s.orderA.paidAt));
    const pool = suite.service<OrderService>("order").pool;
    const ledger = paymentLedger(suite.system.broker);
    const dayAfter = dayStart(addDays(date, 1));
    const at = (hours: number) => new Date(dayAfter.getTime() + hours * 3_600_000 + 60_000);
    expect(await runDailyReconciliation(pool, ledger, at(1))).toBeNull();
    // An order that says it got a fen less than its payment brought.
    await pool.query("UPDATE orders SET paid_minor = paid_minor - 1 WHERE order_no = $1", [s.orderB.orderNo]);
    const found = await runDailyReconciliation(pool, ledger, at(2)).finally(() =>
      pool.query("UPDATE orders SET paid_minor = paid_minor + 1 WHERE order_no = $1", [s.orderB.orderNo]),
    );
    expect(found).toMatchObject({ date, dailyRun: null });
    const mismatches = found?.mismatches.length ?? 0;
    expect(found?.mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "PAYMENT_AMOUNT_MISMATCH", paymentNo: s.paymentNo }),
      ]),
    );
    // The run committed with its event: the operators' inbox says how many, of which kinds.
    let told: any[] = [];
    await waitFor("the operators told", async () => {
      const inbox = expectOk(await get("/me/messages?limit=100", suite.catalog.adminToken), "inbox");
      told = inbox.items.filter((m: any) => m.node === "RECONCILIATION_MISMATCHED");
      return told.length > 0;
    });
    expect(told).toEqual([
      expect.objectContaining({
        title: "对账发现差异",
        orderNo: null,
        text: expect.stringContaining(`${date} 的对账发现 ${mismatches} 处差异：`),
      }),
    ]);
    expect(told[0].text).toContain("PAYMENT_AMOUNT_MISMATCH ×");
    // A merchant's inbox has nothing of it.
    const shopInbox = expectOk(await get("/me/messages?limit=100", s.merchantA), "shop inbox");
    expect(shopInbox.items.some((m: any) => m.node === "RECONCILIATION_MISMATCHED")).toBe(false);
    // Once per day, whichever pod's timer comes first.
    expect(await runDailyReconciliation(pool, ledger, at(3))).toBeNull();
    // A run whose pod died before it finished is taken over an hour later.
    await pool.query(
      "UPDATE reconciliation_runs SET finished_at = NULL, started_at = now() - interval '61 minutes' WHERE date = $1",
      [date],
    );
    // The order was put right meanwhile: the run taken over keeps what it finds now.
    const retaken = await runDailyReconciliation(pool, ledger, at(4));
    expect(retaken).toMatchObject({ date });
    expect(retaken?.mismatches.length).toBeLessThan(mismatches);
    const live = expectOk(await get(`/admin/reconciliation?date=${date}`, suite.catalog.adminToken), "r");
    expect(live.dailyRun).toEqual({
      finishedAt: expect.any(String),
      mismatchCount: retaken?.mismatches.length,
    });
    await pool.query("DELETE FROM reconciliation_runs WHERE date = $1", [date]);
  });
});
