import type { OrderService } from "../../services/order/order.service";
import { sweepAfterSales } from "../../services/order/order-after-sales";
import { retryRefusedRefunds } from "../../services/order/order-payments";
import { shanghaiDay } from "../../services/order/stats/stats-period";
import type { PaymentService } from "../../services/payment/payment.service";
import { expectOk } from "../support/catalog";
import { request } from "../support/http";
import {
  completeInSandbox,
  placeCheckout,
  settledOrders,
  soldOutRace,
  startPayment,
} from "../support/payment-flow";
import { useSystem, waitFor } from "../support/system";

describe("a refund the provider refuses", () => {
  const suite = useSystem();

  /** Today's reconciliation mismatches of one payment, as an operator reads them. */
  async function mismatchesOf(paymentNo: string) {
    const date = shanghaiDay(new Date());
    const found = expectOk(
      await request(suite.url, "GET", `/api/v1/admin/reconciliation?date=${date}`, {
        token: suite.catalog.adminToken,
      }),
      "reconciliation",
    );
    return found.mismatches.filter((m: any) => m.paymentNo === paymentNo);
  }

  /**
   * Waits until a child order shows `n` refused refunds, each noted by the orders as well (the refusal's
   * timeline entry and its retry commit together: only then is it asked again); answers them, oldest first.
   */
  async function refusalsOf(orderNo: string, token: string, n: number): Promise<any[]> {
    const { url, catalog } = suite;
    let failed: any[] = [];
    await waitFor(`refusal ${n}`, async () => {
      const order = expectOk(await request(url, "GET", `/api/v1/orders/${orderNo}`, { token }), "order");
      failed = order.payment.refunds.filter((r: any) => r.status === "FAILED");
      const timeline = JSON.stringify(
        expectOk(
          await request(url, "GET", `/api/v1/orders/${orderNo}/timeline`, { token: catalog.adminToken }),
          "timeline",
        ),
      );
      return failed.length === n && failed.every((r) => timeline.includes(`refused as ${r.refundNo}`));
    });
    return failed;
  }

  /** A paid order whose payer's account refuses the next `refuseRefunds` refunds, and a refund-only request of one unit the shop approved. */
  async function approvedRequest(refuseRefunds: number) {
    const { url, catalog } = suite;
    const { token, checkout } = await placeCheckout(catalog);
    const payment = await startPayment(url, token, checkout.parentOrderNo);
    await completeInSandbox(url, payment.providerPaymentNo, { refuseRefunds });
    const [order] = await settledOrders(url, token, checkout.parentOrderNo);
    const merchant = await catalog.merchantToken(order.shopId);
    const { afterSalesNo } = expectOk(
      await request(url, "POST", `/api/v1/orders/${order.orderNo}/after-sales`, {
        token,
        body: {
          type: "REFUND_ONLY",
          lines: [{ lineId: order.lines[0].lineId, quantity: 1 }],
          reason: "no need",
        },
      }),
      "after-sales",
    );
    expectOk(
      await request(url, "POST", `/api/v1/after-sales/${afterSalesNo}/approve`, { token: merchant }),
      "approve",
    );
    return { token, payment, order, merchant, afterSalesNo };
  }

  it("is asked again after a backoff, then by an operator, until the buyer has the money", async () => {
    const { url, catalog } = suite;
    const admin = catalog.adminToken;
    // The payer's account is frozen for the first two refunds.
    const { token, payment, order, merchant, afterSalesNo: no } = await approvedRequest(2);
    const read = async (as = admin) =>
      expectOk(await request(url, "GET", `/api/v1/after-sales/${no}`, { token: as }), "request");
    const refused = async (attempts: number) => {
      let r: any;
      await waitFor(`refusal ${attempts}`, async () => {
        r = await read();
        return r.refundAttempts === attempts;
      });
      return r;
    };

    // First refusal: still owed, asked again by itself a minute later; the operator may retry now.
    const first = await refused(1);
    expect(first).toMatchObject({ status: "PENDING_REFUND", refundNo: null, refundFailure: "REFUND_FAILED" });
    const retryIn = new Date(first.refundRetryAt).getTime() - Date.now();
    expect(retryIn).toBeGreaterThan(30_000);
    expect(retryIn).toBeLessThanOrEqual(60_000);
    expect(first.actions).toEqual(["RETRY_REFUND"]);
    expect((await read(merchant)).actions).toEqual([]);
    expect(first.timeline.map((t: any) => t.event)).toContain("refund.failed");
    // The day's reconciliation shows the buyer waiting for the money.
    expect(await mismatchesOf(payment.paymentNo)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: "REFUND_FAILED",
          paymentNo: payment.paymentNo,
          orderNos: [order.orderNo],
        }),
      ]),
    );

    // The sweeper, once the minute has passed, asks again under a new key: refused again, next try in 10 minutes.
    await sweepAfterSales(suite.service<OrderService>("order"), new Date(Date.now() + 61_000));
    const second = await refused(2);
    expect(new Date(second.refundRetryAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    // Only an operator retries by hand, and only while nothing is on its way.
    const byMerchant = await request(url, "POST", `/api/v1/after-sales/${no}/retry-refund`, {
      token: merchant,
    });
    expect(byMerchant.status).toBe(403);
    expectOk(await request(url, "POST", `/api/v1/after-sales/${no}/retry-refund`, { token: admin }), "retry");
    let done: any;
    await waitFor("the refund paid", async () => {
      done = await read();
      return done.status === "SUCCEEDED";
    });
    expect(done).toMatchObject({ refundAttempts: 2, refundRetryAt: null });
    const again = await request(url, "POST", `/api/v1/after-sales/${no}/retry-refund`, { token: admin });
    expect(again.status).toBe(409);

    // Three refunds at the payment service, two refused; the buyer got the money once.
    const paid = expectOk(
      await request(url, "GET", `/api/v1/payments/${payment.paymentNo}`, { token }),
      "payment",
    );
    expect(paid.refunds.map((r: any) => r.status).sort()).toEqual(["FAILED", "FAILED", "SUCCEEDED"]);
    expect(paid.refundedMinor).toBe(done.refundMinor);
    await waitFor("the order to show the refund", async () => {
      const o = expectOk(await request(url, "GET", `/api/v1/orders/${order.orderNo}`, { token }), "order");
      return o.amounts.refundedMinor === done.refundMinor;
    });
    // Paid at last: the refused refunds are no longer a mismatch.
    expect(await mismatchesOf(payment.paymentNo)).toEqual([]);
  });

  it("asks a sold-out child's refused refund again after a backoff, then by an operator, until it is paid", async () => {
    const { url, catalog } = suite;
    const admin = catalog.adminToken;
    const { loser, loserPayment } = await soldOutRace(catalog, { priceMinor: 4_321 });
    // The loser's account refuses two refunds: its child, sold out meanwhile, is closed and refunded.
    await completeInSandbox(url, loserPayment.providerPaymentNo, { refuseRefunds: 2 });
    const [closed] = await settledOrders(url, loser.token, loser.checkout.parentOrderNo);
    expect(closed).toMatchObject({ status: "CLOSED", closeReason: "OUT_OF_STOCK" });
    const detail = async () =>
      expectOk(
        await request(url, "GET", `/api/v1/orders/${closed.orderNo}`, { token: loser.token }),
        "order",
      );
    const refused = (n: number) => refusalsOf(closed.orderNo, loser.token, n);
    const [first] = await refused(1);
    const timeline = expectOk(
      await request(url, "GET", `/api/v1/orders/${closed.orderNo}/timeline`, { token: admin }),
      "timeline",
    );
    expect(JSON.stringify(timeline)).toContain("refund.failed");
    const svc = suite.service<OrderService>("order");
    // Not due yet; a minute later the sweeper asks again, as a new refund of the same purpose: refused again.
    await retryRefusedRefunds(svc, new Date());
    expect((await detail()).payment.refunds).toHaveLength(1);
    await retryRefusedRefunds(svc, new Date(Date.now() + 61_000));
    const second = (await refused(2)).find((r) => r.refundNo !== first.refundNo);
    // The operator does not wait the ten minutes; a refusal already asked again is not asked twice.
    const retry = (refundNo: string, token = admin) =>
      request(url, "POST", `/api/v1/admin/refunds/${refundNo}/retry`, { token });
    expect((await retry(first.refundNo)).status).toBe(409);
    expect((await retry(first.refundNo, loser.token)).status).toBe(403);
    expect((await retry("1".repeat(18))).status).toBe(404);
    expect(expectOk(await retry(second.refundNo), "retry")).toMatchObject({
      refundNo: second.refundNo,
      retriedAs: expect.any(String),
    });
    await waitFor(
      "the refund paid",
      async () => (await detail()).amounts.refundedMinor === closed.amounts.payableMinor,
    );
    const refunds = (await detail()).payment.refunds.map((r: any) => r.status);
    expect(refunds.sort()).toEqual(["FAILED", "FAILED", "SUCCEEDED"]);
    // Paid: the sweeper asks nothing more, and the day reconciles.
    await retryRefusedRefunds(svc, new Date(Date.now() + 7 * 3_600_000));
    expect((await detail()).payment.refunds).toHaveLength(3);
    expect(await mismatchesOf(loserPayment.paymentNo)).toEqual([]);
  });

  it("completes a request with the refused refund the provider paid after all, not with a second one", async () => {
    const { url, catalog } = suite;
    const { token, payment, order, afterSalesNo } = await approvedRequest(1);
    const read = async () =>
      expectOk(
        await request(url, "GET", `/api/v1/after-sales/${afterSalesNo}`, { token: catalog.adminToken }),
        "request",
      );
    const refunds = async () =>
      expectOk(await request(url, "GET", `/api/v1/payments/${payment.paymentNo}`, { token }), "payment")
        .refunds;
    await waitFor("the refusal", async () => (await read()).refundAttempts === 1);
    const [refused] = await refunds();
    await suite
      .service<PaymentService>("payment")
      .pool.query(
        "UPDATE sandbox_refunds SET status = 'SUCCESS', failure_reason = NULL WHERE refund_no = $1",
        [refused.refundNo],
      );
    await sweepAfterSales(suite.service<OrderService>("order"), new Date(Date.now() + 61_000));
    let done: any;
    await waitFor("the request refunded", async () => {
      done = await read();
      return done.status === "SUCCEEDED";
    });
    expect(done).toMatchObject({ refundNo: refused.refundNo, refundAttempts: 1 });
    expect(await refunds()).toEqual([
      expect.objectContaining({ refundNo: refused.refundNo, status: "SUCCEEDED" }),
    ]);
    await waitFor("the order to show the refund once", async () => {
      const o = expectOk(await request(url, "GET", `/api/v1/orders/${order.orderNo}`, { token }), "order");
      return o.amounts.refundedMinor === done.refundMinor;
    });
  });

  it("does not refund a sold-out child twice when the provider pays the refused refund after all", async () => {
    const { url, catalog } = suite;
    const { loser, loserPayment } = await soldOutRace(catalog, { priceMinor: 2_345 });
    await completeInSandbox(url, loserPayment.providerPaymentNo, { refuseRefunds: 1 });
    const [closed] = await settledOrders(url, loser.token, loser.checkout.parentOrderNo);
    const detail = async () =>
      expectOk(
        await request(url, "GET", `/api/v1/orders/${closed.orderNo}`, { token: loser.token }),
        "order",
      );
    const [refused] = await refusalsOf(closed.orderNo, loser.token, 1);
    // The merchant settles the abnormal refund by hand at the provider: it is paid after all, and no
    // notification says so. The sweeper's retry asks the provider first and takes that answer.
    await suite
      .service<PaymentService>("payment")
      .pool.query(
        "UPDATE sandbox_refunds SET status = 'SUCCESS', failure_reason = NULL WHERE refund_no = $1",
        [refused.refundNo],
      );
    const svc = suite.service<OrderService>("order");
    await retryRefusedRefunds(svc, new Date(Date.now() + 61_000));
    await waitFor(
      "the refund recorded",
      async () => (await detail()).amounts.refundedMinor === closed.amounts.payableMinor,
    );
    await retryRefusedRefunds(svc, new Date(Date.now() + 7 * 3_600_000));
    expect((await detail()).payment.refunds).toEqual([
      expect.objectContaining({ refundNo: refused.refundNo, status: "SUCCEEDED" }),
    ]);
    expect((await detail()).amounts.refundedMinor).toBe(closed.amounts.payableMinor);
    expect(await mismatchesOf(loserPayment.paymentNo)).toEqual([]);
  });
});
