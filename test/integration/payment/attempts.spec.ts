import "./payment-env";
import { randomUUID } from "node:crypto";
import { queryDue } from "../../../services/payment/commands/query-sweep";
import type { PaymentService } from "../../../services/payment/payment.service";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { buyer, count, eventually, usePaymentSystem } from "./payment-harness";

describe("payment attempts of one checkout", () => {
  const sys = usePaymentSystem();
  const { call } = sys;
  afterEach(() => jest.restoreAllMocks());
  /** The service's own provider instance, to hold back its query answers in a race. */
  const provider = (method: PaymentMethod) =>
    (sys.broker.getLocalService("payment") as unknown as PaymentService).deps.providers.get(method);
  /** The payer pays at the provider, but we hear nothing yet: no callback, and queries answer "no result". */
  async function paidUnheard(method: PaymentMethod, providerPaymentNo: string) {
    const query = jest.spyOn(provider(method), "queryPayment").mockResolvedValue(null);
    await complete(providerPaymentNo, "SUCCESS", { noCallback: true });
    return query;
  }
  const row = async (paymentNo: string) =>
    (
      await sys.pool.query(
        "SELECT status, duplicate, paid_minor, refunded_minor FROM payments WHERE payment_no = $1",
        [paymentNo],
      )
    ).rows[0];
  const outbox = (channel: string, paymentNo: string) =>
    count(sys.pool, "SELECT count(*) AS n FROM outbox WHERE channel = $1 AND payload->>'paymentNo' = $2", [
      channel,
      paymentNo,
    ]);

  function checkout(amountMinor = 5_000, frozen = false) {
    const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
    const parentOrderNo = sys.book.open(buyerId, amountMinor, frozen);
    const pay = (method: PaymentMethod) => call("payment.create", { parentOrderNo, method }, buyer(buyerId));
    return { buyerId, parentOrderNo, pay };
  }
  const complete = (providerPaymentNo: string, result: "SUCCESS" | "FAIL" = "SUCCESS", extra: object = {}) =>
    call("payment.sandboxComplete", { providerPaymentNo, result, ...extra });
  const closeResult = async (paymentNo: string) =>
    (await sys.pool.query("SELECT close_result FROM payments WHERE payment_no = $1", [paymentNo])).rows[0]
      ?.close_result;

  it("replaces the open attempt when the buyer picks another method, and reuses it for the same one", async () => {
    const c = checkout();
    const wechat = await c.pay("WECHAT");
    expect(await c.pay("WECHAT")).toEqual(wechat);
    const alipay = await c.pay("ALIPAY");
    expect(alipay.paymentNo).not.toBe(wechat.paymentNo);
    expect(alipay.providerPaymentNo).toMatch(/^\d{8}22001\d{15}$/);
    expect((await row(wechat.paymentNo)).status).toBe("CLOSED");
    expect((await row(alipay.paymentNo)).status).toBe("PENDING");
    await complete(alipay.providerPaymentNo);
    expect(await call("payment.forParent", { parentOrderNo: c.parentOrderNo })).toMatchObject({
      paymentNo: alipay.paymentNo,
      status: "SUCCEEDED",
      paidMinor: 5_000,
    });
  });

  it("keeps one open attempt however many requests race, and closes every other one at its provider", async () => {
    const c = checkout();
    const methods: PaymentMethod[] = [
      "WECHAT",
      "ALIPAY",
      "UNIONPAY",
      "WECHAT",
      "ALIPAY",
      "UNIONPAY",
      "WECHAT",
    ];
    const opened = (["WECHAT", "ALIPAY", "UNIONPAY"] as const).map((m) =>
      jest.spyOn(provider(m), "createPayment"),
    );
    const answers = await Promise.allSettled(methods.map((m) => c.pay(m)));
    expect(answers.some((a) => a.status === "fulfilled")).toBe(true);
    const { rows } = await sys.pool.query(
      "SELECT provider_payment_no, status, close_result FROM payments WHERE parent_order_no = $1",
      [c.parentOrderNo],
    );
    expect(rows.filter((r) => r.status === "PENDING")).toHaveLength(1);
    // Every payment opened at a provider is on record - the twins that lost too - and all but the
    // open one are closed there, so nobody can pay them.
    const atProviders = await Promise.all(opened.flatMap((spy) => spy.mock.results.map((r) => r.value)));
    expect(rows.map((r) => r.provider_payment_no).sort()).toEqual(
      atProviders.map((o: { providerPaymentNo: string }) => o.providerPaymentNo).sort(),
    );
    for (const r of rows.filter((r) => r.status !== "PENDING")) {
      expect(r).toMatchObject({ status: "CLOSED", close_result: "CLOSED" });
      await expect(complete(r.provider_payment_no)).rejects.toMatchObject({ code: 409 });
    }
  });

  it("records and closes the twin that lost to an identical request", async () => {
    const c = checkout();
    // All five open a payment at the provider before any of them writes its attempt.
    const alipay = provider("ALIPAY");
    const open = alipay.createPayment.bind(alipay);
    let arrived = 0;
    let allArrived: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => {
      allArrived = resolve;
    });
    jest.spyOn(alipay, "createPayment").mockImplementation(async (req) => {
      if (++arrived === 5) allArrived();
      await barrier;
      return open(req);
    });
    const answers = await Promise.all(Array.from({ length: 5 }, () => c.pay("ALIPAY")));
    // Every identical request gets the one open attempt, even those that opened one of their own.
    expect(new Set(answers.map((a) => a.paymentNo)).size).toBe(1);
    const { rows } = await sys.pool.query(
      "SELECT payment_no, status, close_result FROM payments WHERE parent_order_no = $1",
      [c.parentOrderNo],
    );
    expect(rows).toHaveLength(5);
    expect(rows.find((r) => r.status === "PENDING")?.payment_no).toBe(answers[0].paymentNo);
    for (const r of rows.filter((r) => r.payment_no !== answers[0].paymentNo)) {
      expect(r).toMatchObject({ status: "CLOSED", close_result: "CLOSED" });
    }
    expect(await call("payment.forParent", { parentOrderNo: c.parentOrderNo })).toMatchObject({
      paymentNo: answers[0].paymentNo,
      status: "PENDING",
    });
  });

  it("pays the checkout with a late success on a replaced attempt when nothing else paid", async () => {
    const c = checkout();
    const first = await c.pay("WECHAT");
    // The payer paid the first attempt just before switching: the provider refuses to close it.
    const query = await paidUnheard("WECHAT", first.providerPaymentNo);
    const second = await c.pay("UNIONPAY");
    expect(await closeResult(first.paymentNo)).toBe("ALREADY_PAID");
    await complete(first.providerPaymentNo); // its callback at last
    query.mockRestore();
    expect(await row(first.paymentNo)).toMatchObject({
      status: "SUCCEEDED",
      duplicate: false,
      paid_minor: 5_000,
    });
    expect((await row(second.paymentNo)).status).toBe("CLOSED");
    expect(await outbox("payment.succeeded", first.paymentNo)).toBe(1);
    // The payment closed the other attempt at its provider too: its payer can no longer pay it.
    expect(await closeResult(second.paymentNo)).toBe("CLOSED");
    await expect(complete(second.providerPaymentNo)).rejects.toMatchObject({
      type: "INVALID_TRANSITION",
      code: 409,
    });
    expect(await row(second.paymentNo)).toMatchObject({ status: "CLOSED", duplicate: false, paid_minor: 0 });
    expect(await outbox("payment.succeeded", second.paymentNo)).toBe(0);
  });

  it("refunds a late success on a replaced attempt once another attempt paid the checkout", async () => {
    const c = checkout(7_700);
    const first = await c.pay("ALIPAY");
    // Paid at the provider before the switch, but heard of only after the new attempt paid.
    const query = await paidUnheard("ALIPAY", first.providerPaymentNo);
    const second = await c.pay("WECHAT");
    expect(await closeResult(first.paymentNo)).toBe("ALREADY_PAID");
    await complete(second.providerPaymentNo);
    await complete(first.providerPaymentNo);
    query.mockRestore();
    expect(await row(first.paymentNo)).toMatchObject({
      status: "SUCCEEDED",
      duplicate: true,
      paid_minor: 7_700,
    });
    await eventually("the duplicate's refund", async () => {
      const { rows } = await sys.pool.query("SELECT status FROM refunds WHERE payment_no = $1", [
        first.paymentNo,
      ]);
      return rows.length === 1 && rows[0].status === "SUCCEEDED";
    });
    expect((await row(first.paymentNo)).refunded_minor).toBe(7_700);
    const view = await call("payment.get", { paymentNo: first.paymentNo }, buyer(c.buyerId));
    expect(view).toMatchObject({
      duplicate: true,
      refundedMinor: 7_700,
      refunds: [{ amountMinor: 7_700, reason: "DUPLICATE_PAYMENT" }],
    });
    // Not the order's business: neither a second payment.succeeded nor a refund.succeeded.
    expect(await outbox("payment.succeeded", first.paymentNo)).toBe(0);
    expect(await outbox("refund.succeeded", first.paymentNo)).toBe(0);
    expect(await call("payment.forParent", { parentOrderNo: c.parentOrderNo })).toMatchObject({
      paymentNo: second.paymentNo,
    });
  });

  it("asks a duplicate payment's refused refund again after a minute, then by an operator, until it is paid", async () => {
    const c = checkout(3_300);
    const first = await c.pay("WECHAT");
    // Paid unheard before the switch; the payer's account then refuses two refunds.
    const query = jest.spyOn(provider("WECHAT"), "queryPayment").mockResolvedValue(null);
    await complete(first.providerPaymentNo, "SUCCESS", { noCallback: true, refuseRefunds: 2 });
    const second = await c.pay("ALIPAY");
    await complete(second.providerPaymentNo);
    await complete(first.providerPaymentNo);
    query.mockRestore();
    const refunds = async () =>
      (
        await sys.pool.query(
          // By key: the sweeps run at shifted clocks, so creation times are out of order.
          `SELECT refund_no, status, idempotency_key, amount_minor FROM refunds WHERE payment_no = $1
           ORDER BY idempotency_key`,
          [first.paymentNo],
        )
      ).rows;
    await eventually("the refusal", async () => (await refunds())[0]?.status === "FAILED");
    expect((await row(first.paymentNo)).refunded_minor).toBe(0);
    const deps = (sys.broker.getLocalService("payment") as unknown as PaymentService).deps;
    // Not yet due: nothing is asked; a minute later the sweep asks again under a new key: refused again.
    await queryDue(deps, new Date());
    expect(await refunds()).toHaveLength(1);
    await queryDue(deps, new Date(Date.now() + 61_000));
    await eventually("the second refusal", async () => (await refunds())[1]?.status === "FAILED");
    // The operator does not wait the ten minutes.
    const [refused] = await refunds();
    const retried = await call("payment.retryDuplicateRefund", { refundNo: refused.refund_no });
    expect(retried).toMatchObject({ refundNo: refused.refund_no, retriedAs: expect.any(String) });
    await eventually("the third refund paid", async () => (await refunds())[2]?.status === "SUCCEEDED");
    expect((await refunds()).map((r) => [r.status, r.idempotency_key, r.amount_minor])).toEqual([
      ["FAILED", "duplicate-payment", 3_300],
      ["FAILED", "duplicate-payment:1", 3_300],
      ["SUCCEEDED", "duplicate-payment:2", 3_300],
    ]);
    expect((await row(first.paymentNo)).refunded_minor).toBe(3_300);
    // Given back in full: neither the sweep nor the operator asks again; still none of the order's business.
    await queryDue(deps, new Date(Date.now() + 7 * 3_600_000));
    expect(await refunds()).toHaveLength(3);
    await expect(call("payment.retryDuplicateRefund", { refundNo: refused.refund_no })).rejects.toMatchObject(
      {
        code: 409,
      },
    );
    await expect(call("payment.retryDuplicateRefund", { refundNo: "1".repeat(18) })).rejects.toMatchObject({
      code: 404,
    });
    expect(await outbox("refund.succeeded", first.paymentNo)).toBe(0);
  });

  it("refuses a second payment for a paid checkout", async () => {
    const c = checkout();
    const paid = await c.pay("WECHAT");
    await complete(paid.providerPaymentNo);
    await eventually(
      "the order side to see the payment",
      () => sys.book.checkouts.get(c.parentOrderNo)?.state === "PAID",
    );
    await expect(c.pay("ALIPAY")).rejects.toMatchObject({ type: "INVALID_TRANSITION", code: 409 });
  });

  it("refuses a second payment even when the order side has not heard of the first yet", async () => {
    const c = checkout(5_000, true);
    const paid = await c.pay("WECHAT");
    await complete(paid.providerPaymentNo);
    await expect(c.pay("ALIPAY")).rejects.toMatchObject({
      type: "INVALID_TRANSITION",
      data: { state: "PAID" },
    });
  });

  it("passes the caller to the order service: another buyer's checkout is not found", async () => {
    const c = checkout();
    await expect(
      call("payment.create", { parentOrderNo: c.parentOrderNo, method: "WECHAT" }, buyer("someone-else")),
    ).rejects.toMatchObject({
      type: "NOT_FOUND",
    });
    await expect(
      call("payment.create", { parentOrderNo: c.parentOrderNo, method: "CASH" }, buyer(c.buyerId)),
    ).rejects.toMatchObject({
      type: "VALIDATION_ERROR",
    });
  });

  it("keeps a failed checkout payable: a new attempt after a FAIL closes the failed one at its provider", async () => {
    const c = checkout();
    const failed = await c.pay("UNIONPAY");
    await complete(failed.providerPaymentNo, "FAIL");
    expect((await row(failed.paymentNo)).status).toBe("FAILED");
    const retry = await c.pay("UNIONPAY");
    expect(retry.paymentNo).not.toBe(failed.paymentNo);
    // Some providers let the payer retry a failed payment: closed there, it cannot be paid twice.
    expect(await row(failed.paymentNo)).toMatchObject({ status: "CLOSED", paid_minor: 0 });
    expect(await closeResult(failed.paymentNo)).toBe("CLOSED");
    await expect(complete(failed.providerPaymentNo)).rejects.toMatchObject({ code: 409 });
    expect(await call("payment.forParent", { parentOrderNo: c.parentOrderNo })).toMatchObject({
      paymentNo: retry.paymentNo,
      status: "PENDING",
    });
  });

  it("answers null for a checkout without payments", async () => {
    expect(await call("payment.forParent", { parentOrderNo: checkout().parentOrderNo })).toBeNull();
  });
});
