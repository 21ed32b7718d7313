import "./payment-env";
import { randomUUID } from "node:crypto";
import type { PaymentService } from "../../../services/payment/payment.service";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { buyer, count, eventually, usePaymentSystem } from "./payment-harness";

describe("closing a replaced attempt at its provider", () => {
  const sys = usePaymentSystem();
  const { call } = sys;
  afterEach(() => jest.restoreAllMocks());

  /** The service's own provider instance (to make it fail or hold back answers). */
  const provider = (method: PaymentMethod) =>
    (sys.broker.getLocalService("payment") as unknown as PaymentService).deps.providers.get(method);
  const attempt = async (paymentNo: string) =>
    (
      await sys.pool.query(
        `SELECT status, duplicate, paid_minor, closed_at, closed_at_provider, close_result, close_error,
           close_attempts, next_close_at, next_query_at
         FROM payments WHERE payment_no = $1`,
        [paymentNo],
      )
    ).rows[0];
  const atProvider = async (providerPaymentNo: string) =>
    (
      await sys.pool.query("SELECT status, closed_at FROM sandbox_payments WHERE provider_payment_no = $1", [
        providerPaymentNo,
      ])
    ).rows[0];
  const notices = (subjectNo: string) =>
    count(sys.pool, "SELECT count(*) AS n FROM provider_notifications WHERE subject_no = $1", [subjectNo]);
  const succeededEvents = (paymentNo: string) =>
    count(
      sys.pool,
      "SELECT count(*) AS n FROM outbox WHERE channel = 'payment.succeeded' AND payload->>'paymentNo' = $1",
      [paymentNo],
    );

  function checkout(amountMinor = 6_600) {
    const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
    const parentOrderNo = sys.book.open(buyerId, amountMinor);
    const pay = (method: PaymentMethod) => call("payment.create", { parentOrderNo, method }, buyer(buyerId));
    return { buyerId, parentOrderNo, pay };
  }
  const complete = (providerPaymentNo: string, result: "SUCCESS" | "FAIL" = "SUCCESS", extra: object = {}) =>
    call("payment.sandboxComplete", { providerPaymentNo, result, ...extra });

  it("closes the replaced attempt at its provider, which then refuses to complete it with 409", async () => {
    const c = checkout();
    const wechat = await c.pay("WECHAT");
    const alipay = await c.pay("ALIPAY");
    const closed = await attempt(wechat.paymentNo);
    expect(closed).toMatchObject({
      status: "CLOSED",
      close_result: "CLOSED",
      close_error: null,
      close_attempts: 0,
      next_close_at: null,
      // Nobody can pay it any more: no need to keep asking the provider about it.
      next_query_at: null,
    });
    expect(closed.closed_at_provider.getTime()).toBeGreaterThanOrEqual(closed.closed_at.getTime());
    expect(await atProvider(wechat.providerPaymentNo)).toMatchObject({ status: "CLOSED" });

    for (const result of ["SUCCESS", "FAIL"] as const) {
      await expect(complete(wechat.providerPaymentNo, result)).rejects.toMatchObject({
        type: "INVALID_TRANSITION",
        code: 409,
        data: { state: "CLOSED", event: "complete", providerPaymentNo: wechat.providerPaymentNo },
      });
    }
    expect(await atProvider(wechat.providerPaymentNo)).toMatchObject({ status: "CLOSED" });
    expect(await attempt(wechat.paymentNo)).toMatchObject({ status: "CLOSED", paid_minor: 0 });
    expect(await notices(wechat.paymentNo)).toBe(0);

    // An operator (and the buyer) sees when it was closed, here and at the provider.
    expect(await call("payment.get", { paymentNo: wechat.paymentNo }, buyer(c.buyerId))).toMatchObject({
      status: "CLOSED",
      closedAt: closed.closed_at.toISOString(),
      closedAtProvider: closed.closed_at_provider.toISOString(),
    });

    // The buyer's new attempt is untouched by all this and pays the checkout.
    expect(await atProvider(alipay.providerPaymentNo)).toMatchObject({ status: "PENDING" });
    await complete(alipay.providerPaymentNo);
    expect(await call("payment.get", { paymentNo: alipay.paymentNo }, buyer(c.buyerId))).toMatchObject({
      status: "SUCCEEDED",
      paidMinor: 6_600,
      closedAt: null,
      closedAtProvider: null,
    });
    expect(await succeededEvents(alipay.paymentNo)).toBe(1);
    expect(await succeededEvents(wechat.paymentNo)).toBe(0);
  });

  it("keeps the buyer's new payment when the close fails, and retries the close from the query sweep", async () => {
    const c = checkout(4_321);
    const first = await c.pay("UNIONPAY");
    const close = jest
      .spyOn(provider("UNIONPAY"), "close")
      .mockRejectedValue(new Error("provider unavailable"));
    const second = await c.pay("WECHAT");
    expect(second).toMatchObject({ method: "WECHAT", status: "PENDING", amountMinor: 4_321 });
    expect(close).toHaveBeenCalledWith(first.providerPaymentNo);
    const failed = await attempt(first.paymentNo);
    expect(failed).toMatchObject({
      status: "CLOSED",
      closed_at_provider: null,
      close_result: null,
      close_error: "provider unavailable",
    });
    expect(failed.next_close_at).not.toBeNull();
    expect(await atProvider(first.providerPaymentNo)).toMatchObject({ status: "PENDING" });

    // The sweep retries (and keeps failing while the provider is down), backing off.
    await eventually(
      "two retries by the sweep",
      async () => (await attempt(first.paymentNo)).close_attempts >= 2,
    );
    expect(close.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(await attempt(first.paymentNo)).toMatchObject({ closed_at_provider: null, close_result: null });
    expect(await atProvider(first.providerPaymentNo)).toMatchObject({ status: "PENDING" });

    // The provider is back: the next retry closes it, once, and nothing more is owed.
    close.mockRestore();
    await eventually("the retried close", async () => (await attempt(first.paymentNo)).close_result !== null);
    expect(await attempt(first.paymentNo)).toMatchObject({
      status: "CLOSED",
      close_result: "CLOSED",
      close_error: null,
      next_close_at: null,
    });
    expect((await attempt(first.paymentNo)).closed_at_provider).not.toBeNull();
    expect(await atProvider(first.providerPaymentNo)).toMatchObject({ status: "CLOSED" });
    await expect(complete(first.providerPaymentNo)).rejects.toMatchObject({ code: 409 });

    // The new attempt was never affected: it is still the open one and pays.
    expect(await attempt(second.paymentNo)).toMatchObject({ status: "PENDING", next_close_at: null });
    await complete(second.providerPaymentNo);
    expect(await attempt(second.paymentNo)).toMatchObject({ status: "SUCCEEDED", paid_minor: 4_321 });
  });

  it("recovers the money of an attempt paid before its close arrived, and closes the new one instead", async () => {
    const c = checkout(8_800);
    const first = await c.pay("ALIPAY");
    // The payer paid at the provider; its callback is lost and queries answer nothing yet.
    const query = jest.spyOn(provider("ALIPAY"), "queryPayment").mockResolvedValue(null);
    await complete(first.providerPaymentNo, "SUCCESS", { noCallback: true });
    const second = await c.pay("WECHAT");
    const paidFirst = await attempt(first.paymentNo);
    expect(paidFirst).toMatchObject({
      status: "CLOSED",
      close_result: "ALREADY_PAID",
      closed_at_provider: null,
    });
    expect(paidFirst.next_close_at).toBeNull();
    // It is queried at once rather than after the backoff.
    expect(paidFirst.next_query_at.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await atProvider(first.providerPaymentNo)).toMatchObject({ status: "SUCCESS" });

    query.mockRestore();
    await eventually(
      "the query to apply the money",
      async () => (await attempt(first.paymentNo)).status === "SUCCEEDED",
    );
    expect(await attempt(first.paymentNo)).toMatchObject({ duplicate: false, paid_minor: 8_800 });
    expect(await succeededEvents(first.paymentNo)).toBe(1);
    // Paying the checkout closed the new attempt, at its provider too.
    await eventually(
      "the new attempt's close",
      async () => (await attempt(second.paymentNo)).close_result !== null,
    );
    expect(await attempt(second.paymentNo)).toMatchObject({ status: "CLOSED", close_result: "CLOSED" });
    expect(await atProvider(second.providerPaymentNo)).toMatchObject({ status: "CLOSED" });
    await expect(complete(second.providerPaymentNo)).rejects.toMatchObject({ code: 409 });
    expect(await succeededEvents(second.paymentNo)).toBe(0);
  });

  it("asks the provider once per close even when the same checkout is switched repeatedly", async () => {
    const c = checkout();
    const close = jest.spyOn(provider("WECHAT"), "close");
    const first = await c.pay("WECHAT");
    await c.pay("ALIPAY");
    const third = await c.pay("WECHAT");
    await c.pay("UNIONPAY");
    expect(close.mock.calls).toEqual([[first.providerPaymentNo], [third.providerPaymentNo]]);
    const { rows } = await sys.pool.query(
      "SELECT status, close_result FROM payments WHERE parent_order_no = $1 ORDER BY created_at",
      [c.parentOrderNo],
    );
    expect(rows).toEqual([
      { status: "CLOSED", close_result: "CLOSED" },
      { status: "CLOSED", close_result: "CLOSED" },
      { status: "CLOSED", close_result: "CLOSED" },
      { status: "PENDING", close_result: null },
    ]);
  });
});
