import type { OrderService } from "../../services/order/order.service";
import { PAYMENT_TIMEOUT } from "../../services/order/order-deps";
import { CatalogBuilder, expectOk, uniqueId } from "../support/catalog";
import { request } from "../support/http";
import {
  completeInSandbox,
  placeCheckout,
  settledOrders,
  soldOutRace,
  startPayment,
} from "../support/payment-flow";
import { startSystem, type TestSystem, waitFor } from "../support/system";

describe("paying a checkout", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
  });
  afterAll(() => system.stop());

  async function timelineEvents(token: string, orderNo: string): Promise<string[]> {
    const res = expectOk(
      await request(url, "GET", `/api/v1/orders/${orderNo}/timeline`, { token }),
      "timeline",
    );
    return res.items.map((e: any) => e.event);
  }

  it("moves every child to AWAITING_SHIPMENT once, however many duplicate callbacks arrive", async () => {
    const { token, checkout, lines, wh } = await placeCheckout(catalog);
    const payment = await startPayment(url, token, checkout.parentOrderNo);
    expect(payment.amountMinor).toBe(checkout.payableMinor);
    await completeInSandbox(url, payment.providerPaymentNo, { duplicateCallbacks: 5 });
    const [order] = await settledOrders(url, token, checkout.parentOrderNo);
    expect(order.status).toBe("AWAITING_SHIPMENT");
    expect(order.amounts.paidMinor).toBe(order.amounts.payableMinor);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const events = await timelineEvents(token, order.orderNo);
    expect(events.filter((e) => e === "pay.succeeded")).toHaveLength(1);
    const stock = (await catalog.stock(lines[0]!.skuId)).find((s) => s.warehouseId === wh);
    // Paid units stay reserved until their package ships.
    expect(stock).toMatchObject({ onHand: 10, reserved: 1, available: 9 });
    const detail = expectOk(
      await request(url, "GET", `/api/v1/orders/${order.orderNo}`, { token }),
      "detail",
    );
    expect(detail.payment).toMatchObject({
      paymentNo: payment.paymentNo,
      status: "SUCCEEDED",
      paidMinor: checkout.payableMinor,
    });
    expect(detail.viewStatus).toBe("TO_SHIP");
    const orderService = system.broker.getLocalService("order") as unknown as OrderService;
    await waitFor("the payment timeout to be removed", async () => {
      return !(await orderService.timers.isScheduled(PAYMENT_TIMEOUT, checkout.parentOrderNo));
    });
  });

  it("refuses a second payment of a paid checkout", async () => {
    const { token, checkout } = await placeCheckout(catalog);
    const payment = await startPayment(url, token, checkout.parentOrderNo);
    await completeInSandbox(url, payment.providerPaymentNo);
    await settledOrders(url, token, checkout.parentOrderNo);
    const again = await request(url, "POST", "/api/v1/payments", {
      token,
      body: { parentOrderNo: checkout.parentOrderNo, method: "ALIPAY" },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("INVALID_TRANSITION");
  });

  it("refuses to pay someone else's checkout", async () => {
    const { checkout } = await placeCheckout(catalog);
    const other = (await placeCheckout(catalog)).token;
    const res = await request(url, "POST", "/api/v1/payments", {
      token: other,
      body: { parentOrderNo: checkout.parentOrderNo, method: "WECHAT" },
    });
    expect(res.status).toBe(404);
  });

  it("keeps the order payable after a failed payment", async () => {
    const { token, checkout } = await placeCheckout(catalog);
    const payment = await startPayment(url, token, checkout.parentOrderNo);
    await completeInSandbox(url, payment.providerPaymentNo, { result: "FAIL" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const order = expectOk(
      await request(url, "GET", `/api/v1/orders/${checkout.orders[0].orderNo}`, { token }),
      "detail",
    );
    expect(order.status).toBe("PENDING_PAYMENT");
    const retry = await startPayment(url, token, checkout.parentOrderNo, "UNIONPAY");
    await completeInSandbox(url, retry.providerPaymentNo);
    const [paid] = await settledOrders(url, token, checkout.parentOrderNo);
    expect(paid.status).toBe("AWAITING_SHIPMENT");
  });

  it("checks stock again before a payment starts", async () => {
    const wh = await catalog.warehouse(["Zhejiang"]);
    const skuId = await catalog.sku({
      shopId: uniqueId("shop"),
      priceMinor: 5_000,
      stock: { [wh]: 1 },
      deductionStrategy: "DEDUCT_ON_PAYMENT",
    });
    const first = await placeCheckout(catalog, { lines: [{ skuId, quantity: 1 }] });
    const second = await placeCheckout(catalog, { lines: [{ skuId, quantity: 1 }] });
    await completeInSandbox(
      url,
      (await startPayment(url, first.token, first.checkout.parentOrderNo)).providerPaymentNo,
    );
    await settledOrders(url, first.token, first.checkout.parentOrderNo);
    const res = await request(url, "POST", "/api/v1/payments", {
      token: second.token,
      body: { parentOrderNo: second.checkout.parentOrderNo, method: "WECHAT" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "OUT_OF_STOCK", details: { skuId } });
  });

  it("closes a deduct-on-payment child sold out meanwhile and refunds its share to the fen; the other child is paid", async () => {
    const plenty = await catalog.sku({
      shopId: uniqueId("shopB"),
      priceMinor: 3_333,
      stock: { [await catalog.warehouse(["Zhejiang"])]: 50 },
    });
    const {
      wh,
      skuId: scarce,
      loser,
      loserPayment,
    } = await soldOutRace(catalog, {
      loserAlsoBuys: [{ skuId: plenty, quantity: 2 }],
    });
    await completeInSandbox(url, loserPayment.providerPaymentNo);
    const orders = await settledOrders(url, loser.token, loser.checkout.parentOrderNo);
    const closed = orders.find((o: any) => o.lines[0].skuId === scarce);
    const paid = orders.find((o: any) => o.lines[0].skuId === plenty);
    expect(closed).toMatchObject({ status: "CLOSED", closeReason: "OUT_OF_STOCK" });
    expect(paid.status).toBe("AWAITING_SHIPMENT");
    await waitFor("the refund of the sold-out child", async () => {
      const detail = await request(url, "GET", `/api/v1/orders/${closed.orderNo}`, { token: loser.token });
      return detail.body.amounts.refundedMinor === closed.amounts.payableMinor;
    });
    const detail = expectOk(
      await request(url, "GET", `/api/v1/orders/${closed.orderNo}`, { token: loser.token }),
      "detail",
    );
    expect(detail.payment.refunds).toEqual([
      expect.objectContaining({
        orderNo: closed.orderNo,
        amountMinor: closed.amounts.payableMinor,
        status: "SUCCEEDED",
      }),
    ]);
    expect(detail.payment.refundedMinor).toBe(closed.amounts.payableMinor);
    // The winner's unit is sold and stays reserved until shipped; the closed child holds nothing.
    expect((await catalog.stock(scarce)).find((s) => s.warehouseId === wh)).toMatchObject({
      onHand: 1,
      reserved: 1,
      available: 0,
    });
  });

  it("refunds a payment that arrives after the order was cancelled, and records it on the timeline", async () => {
    const { token, checkout } = await placeCheckout(catalog);
    const payment = await startPayment(url, token, checkout.parentOrderNo);
    const orderNo = checkout.orders[0].orderNo;
    expectOk(await request(url, "POST", `/api/v1/orders/${orderNo}/cancel`, { token, body: {} }), "cancel");
    await completeInSandbox(url, payment.providerPaymentNo);
    await waitFor("the late payment to be refunded", async () => {
      const detail = await request(url, "GET", `/api/v1/orders/${orderNo}`, { token });
      return detail.body.payment?.refundedMinor === checkout.payableMinor;
    });
    const events = await timelineEvents(token, orderNo);
    expect(events).toEqual(expect.arrayContaining(["cancel", "pay.succeeded", "refund.succeeded"]));
    const detail = expectOk(await request(url, "GET", `/api/v1/orders/${orderNo}`, { token }), "detail");
    expect(detail.status).toBe("CLOSED");
  });
});
