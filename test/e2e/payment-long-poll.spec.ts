import { LONG_POLL_MARGIN_MS } from "../../services/order/checkout-waiters";
import type { OrderService } from "../../services/order/order.service";
import { CHECKOUT_SETTLED } from "../../services/order/order-deps";
import { loadConfig } from "../../shared/config/config";
import { expectOk, uniqueId } from "../support/catalog";
import { devToken, request } from "../support/http";
import { completeInSandbox, placeCheckout, startPayment } from "../support/payment-flow";
import { useSystem, waitFor } from "../support/system";

describe("long-polling a checkout for the payment result (GET /parent-orders/{no}?waitMs=)", () => {
  const suite = useSystem();
  let orderService: OrderService;

  beforeAll(() => {
    orderService = suite.service<OrderService>("order");
  });

  /** Starts a long poll now; resolves with the answer and how long it took. */
  function longPoll(token: string, parentOrderNo: string, waitMs: number | string) {
    const started = Date.now();
    return request(suite.url, "GET", `/api/v1/parent-orders/${parentOrderNo}?waitMs=${waitMs}`, {
      token,
    }).then((res) => ({ ...res, elapsedMs: Date.now() - started }));
  }

  /** Resolves once the order service holds a long poll on the checkout. */
  const waiting = (parentOrderNo: string) =>
    waitFor(`a long poll waiting on ${parentOrderNo}`, async () => {
      return orderService.checkoutWaiters.waitingOn(parentOrderNo) > 0;
    });

  it("answers AWAITING_SHIPMENT as soon as the sandbox's success callback settles the checkout, well before waitMs", async () => {
    const { token, checkout } = await placeCheckout(suite.catalog);
    const payment = await startPayment(suite.url, token, checkout.parentOrderNo);
    const poll = longPoll(token, checkout.parentOrderNo, 9_000);
    await waiting(checkout.parentOrderNo);
    await completeInSandbox(suite.url, payment.providerPaymentNo);
    const res = await poll;
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(4_000);
    expect(res.body.orders).toHaveLength(1);
    expect(res.body.orders[0]).toMatchObject({
      status: "AWAITING_SHIPMENT",
      amounts: { paidMinor: checkout.payableMinor },
    });
    expect(orderService.checkoutWaiters.waitingOn(checkout.parentOrderNo)).toBe(0);

    // The same answer as without waitMs; on a paid checkout it comes at once.
    const plain = expectOk(
      await request(suite.url, "GET", `/api/v1/parent-orders/${checkout.parentOrderNo}`, { token }),
      "plain read",
    );
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(plain).sort());
    expect(Object.keys(res.body.orders[0]).sort()).toEqual(Object.keys(plain.orders[0]).sort());
    expect(res.body).toMatchObject({ parentOrderNo: plain.parentOrderNo, payableMinor: plain.payableMinor });
    const again = await longPoll(token, checkout.parentOrderNo, 9_000);
    expect(again.status).toBe(200);
    expect(again.elapsedMs).toBeLessThan(1_000);
    expect(again.body.orders[0].status).toBe("AWAITING_SHIPMENT");
  });

  it("answers PENDING_PAYMENT after about waitMs when nothing happens, and never waits into the gateway's timeout", async () => {
    const { token, checkout } = await placeCheckout(suite.catalog);
    const requestTimeoutMs = loadConfig().requestTimeoutMs;
    const [short, long] = await Promise.all([
      longPoll(token, checkout.parentOrderNo, 1_500),
      longPoll(token, checkout.parentOrderNo, 10_000),
    ]);
    expect(short.status).toBe(200);
    expect(short.body.orders[0].status).toBe("PENDING_PAYMENT");
    expect(short.elapsedMs).toBeGreaterThanOrEqual(1_450);
    expect(short.elapsedMs).toBeLessThan(3_500);
    // 10 s asked, but the gateway gives the call REQUEST_TIMEOUT_MS: the wait stops short of it, no 503.
    expect(long.status).toBe(200);
    expect(long.body.orders[0].status).toBe("PENDING_PAYMENT");
    expect(long.elapsedMs).toBeGreaterThanOrEqual(
      Math.min(10_000, requestTimeoutMs - LONG_POLL_MARGIN_MS) - 50,
    );
    expect(long.elapsedMs).toBeLessThan(requestTimeoutMs);
    expect(orderService.checkoutWaiters.waitingOn(checkout.parentOrderNo)).toBe(0);
  });

  it("answers CLOSED as soon as the buyer cancels the checkout", async () => {
    const { token, checkout } = await placeCheckout(suite.catalog);
    const poll = longPoll(token, checkout.parentOrderNo, 9_000);
    await waiting(checkout.parentOrderNo);
    const orderNo = checkout.orders[0].orderNo;
    expectOk(
      await request(suite.url, "POST", `/api/v1/orders/${orderNo}/cancel`, { token, body: {} }),
      "cancel",
    );
    const res = await poll;
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(4_000);
    expect(res.body.orders[0]).toMatchObject({ status: "CLOSED", closeReason: "BUYER_CANCELLED" });
    expect(res.body.payableMinor).toBe(0);
  });

  it("answers CLOSED as soon as the payment timeout closes the checkout", async () => {
    const wh = await suite.catalog.warehouse(["Zhejiang"]);
    const shopId = uniqueId("shop");
    const skuId = await suite.catalog.sku({ shopId, priceMinor: 25_000, stock: { [wh]: 5 } });
    const now = Date.now();
    expectOk(
      await request(suite.url, "POST", "/api/v1/campaigns", {
        token: suite.catalog.adminToken,
        body: {
          campaignId: uniqueId("flash"),
          kind: "FLASH_PRICE",
          shopId,
          skuIds: [skuId],
          flashPriceMinor: 19_900,
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 3_600_000).toISOString(),
          paymentTimeout: "1s",
        },
      }),
      "flash campaign",
    );
    const { token, checkout } = await placeCheckout(suite.catalog, { lines: [{ skuId, quantity: 1 }] });
    const res = await longPoll(token, checkout.parentOrderNo, 9_000);
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(6_000);
    expect(res.body.orders[0]).toMatchObject({ status: "CLOSED", closeReason: "PAYMENT_TIMEOUT" });
  });

  it("wakes on the checkout-settled broadcast another order pod sends, and answers what the database says", async () => {
    const { token, checkout } = await placeCheckout(suite.catalog);
    const poll = longPoll(token, checkout.parentOrderNo, 9_000);
    await waiting(checkout.parentOrderNo);
    await suite.system.broker.broadcast(CHECKOUT_SETTLED, { parentOrderNo: checkout.parentOrderNo });
    const res = await poll;
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(4_000);
    expect(res.body.orders[0].status).toBe("PENDING_PAYMENT");
  });

  it("refuses another buyer and another shop's merchant with 404 at once, without waiting", async () => {
    const { checkout } = await placeCheckout(suite.catalog);
    const stranger = await devToken(suite.url, uniqueId("buyer"), "buyer");
    const otherShop = await suite.catalog.merchantToken(uniqueId("shop"));
    for (const token of [stranger, otherShop]) {
      const res = await longPoll(token, checkout.parentOrderNo, 9_000);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("NOT_FOUND");
      expect(res.elapsedMs).toBeLessThan(1_500);
    }
    expect(orderService.checkoutWaiters.waitingOn(checkout.parentOrderNo)).toBe(0);
  });

  it("refuses a waitMs that is not an integer from 0 to 10000, naming the field; 0 answers at once", async () => {
    const { token, checkout } = await placeCheckout(suite.catalog);
    for (const bad of ["abc", "-1", "10001", "2.5"]) {
      const res = await longPoll(token, checkout.parentOrderNo, bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 422 });
      expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field: "waitMs" } });
    }
    const zero = await longPoll(token, checkout.parentOrderNo, 0);
    expect(zero.status).toBe(200);
    expect(zero.elapsedMs).toBeLessThan(1_000);
    expect(zero.body.orders[0].status).toBe("PENDING_PAYMENT");
  });
});
