import "./payment-env";
import { randomUUID } from "node:crypto";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { signBody } from "../../../shared/webhooks/signature";
import { buyer, count, eventually, providerDocument, signAs, usePaymentSystem } from "./payment-harness";

describe("payment callbacks", () => {
  const sys = usePaymentSystem();
  const { call } = sys;
  const status = async (paymentNo: string) =>
    (await sys.pool.query("SELECT status FROM payments WHERE payment_no = $1", [paymentNo])).rows[0]?.status;
  const outbox = (channel: string, paymentNo: string) =>
    count(sys.pool, "SELECT count(*) AS n FROM outbox WHERE channel = $1 AND payload->>'paymentNo' = $2", [
      channel,
      paymentNo,
    ]);
  const notices = (subjectNo: string) =>
    count(sys.pool, "SELECT count(*) AS n FROM provider_notifications WHERE subject_no = $1", [subjectNo]);
  const received = (channel: string, paymentNo: string) =>
    sys.book.events(channel, "paymentNo", paymentNo).length;

  async function payment(method: PaymentMethod = "WECHAT", amountMinor = 12_345) {
    const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
    const parentOrderNo = sys.book.open(buyerId, amountMinor);
    const created = await call("payment.create", { parentOrderNo, method }, buyer(buyerId));
    return { ...created, buyerId, method };
  }
  const success = (
    p: { paymentNo: string; providerPaymentNo: string; method: PaymentMethod },
    amountMinor = 12_345,
  ) =>
    providerDocument(p.method, {
      kind: "PAYMENT",
      paymentNo: p.paymentNo,
      providerPaymentNo: p.providerPaymentNo,
      result: "SUCCESS",
      amountMinor,
      occurredAt: new Date().toISOString(),
    });
  const callback = (method: string, doc: { rawBody?: string; signature?: string }) =>
    call("payment.callback", { provider: method.toLowerCase(), ...doc });
  const complete = (providerPaymentNo: string, result: "SUCCESS" | "FAIL", extra: object = {}) =>
    call("payment.sandboxComplete", { providerPaymentNo, result, ...extra });

  async function expectUntouched(paymentNo: string) {
    expect(await status(paymentNo)).toBe("PENDING");
    expect(await notices(paymentNo)).toBe(0);
    expect(await outbox("payment.succeeded", paymentNo)).toBe(0);
  }

  it("opens a payment at the provider for the payable amount", async () => {
    const p = await payment("UNIONPAY", 8_800);
    expect(p).toMatchObject({ amountMinor: 8_800, method: "UNIONPAY", status: "PENDING" });
    expect(p.paymentNo).toMatch(/^\d8\d{18}$/);
    expect(p.providerPaymentNo).toMatch(/^\d{21}$/);
    expect(p.payUrl).toContain(p.providerPaymentNo);
  });

  it("refuses a callback without or with a wrong signature (401) and changes nothing", async () => {
    const p = await payment();
    const doc = success(p);
    for (const bad of [
      { rawBody: doc.rawBody },
      { rawBody: doc.rawBody, signature: "0".repeat(64) },
      { rawBody: doc.rawBody, signature: signBody("guessed-key", doc.rawBody) },
      { rawBody: doc.rawBody.replace('"total":12345', '"total":12344'), signature: doc.signature },
      { signature: doc.signature },
    ]) {
      await expect(callback("WECHAT", bad)).rejects.toMatchObject({ type: "INVALID_SIGNATURE", code: 401 });
    }
    // Signed with another provider's key: each provider has its own secret.
    await expect(callback("ALIPAY", doc)).rejects.toMatchObject({ type: "INVALID_SIGNATURE" });
    await expectUntouched(p.paymentNo);
  });

  it("refuses a validly signed callback with a tampered amount (422) and changes nothing", async () => {
    const p = await payment();
    await expect(callback("WECHAT", success(p, 1))).rejects.toMatchObject({
      type: "AMOUNT_MISMATCH",
      code: 422,
    });
    await expectUntouched(p.paymentNo);
  });

  it("answers 404 PAYMENT_NOT_FOUND for an unknown payment or the wrong provider", async () => {
    const p = await payment();
    const unknown = success({ ...p, paymentNo: "18000000000000000000" });
    await expect(callback("WECHAT", unknown)).rejects.toMatchObject({ type: "PAYMENT_NOT_FOUND", code: 404 });
    const viaAlipay = success({ ...p, method: "ALIPAY" });
    await expect(callback("ALIPAY", viaAlipay)).rejects.toMatchObject({ type: "PAYMENT_NOT_FOUND" });
    await expectUntouched(p.paymentNo);
  });

  it.each(["WECHAT", "ALIPAY", "UNIONPAY"] as const)(
    "applies five duplicate %s success callbacks once, with one payment.succeeded",
    async (method) => {
      const p = await payment(method);
      const sent = await complete(p.providerPaymentNo, "SUCCESS", { duplicateCallbacks: 4 });
      expect(sent.callbacks).toBe(5);
      expect(sent.answers.filter((a: any) => a.duplicate === false)).toHaveLength(1);
      expect(sent.answers.filter((a: any) => a.duplicate === true)).toHaveLength(4);
      expect(await status(p.paymentNo)).toBe("SUCCEEDED");
      expect(await notices(p.paymentNo)).toBe(1);
      expect(await outbox("payment.succeeded", p.paymentNo)).toBe(1);
      await eventually("payment.succeeded delivered", () => received("payment.succeeded", p.paymentNo) === 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(received("payment.succeeded", p.paymentNo)).toBe(1);
      expect(sys.book.events("payment.succeeded", "paymentNo", p.paymentNo)[0]?.payload).toMatchObject({
        paymentNo: p.paymentNo,
        parentOrderNo: p.parentOrderNo,
        buyerId: p.buyerId,
        method,
        providerPaymentNo: p.providerPaymentNo,
        amountMinor: 12_345,
      });
    },
  );

  it("ends SUCCEEDED when a FAIL arrives before the SUCCESS", async () => {
    const p = await payment("ALIPAY");
    await complete(p.providerPaymentNo, "FAIL");
    expect(await status(p.paymentNo)).toBe("FAILED");
    await complete(p.providerPaymentNo, "SUCCESS");
    expect(await status(p.paymentNo)).toBe("SUCCEEDED");
    expect(await outbox("payment.failed", p.paymentNo)).toBe(1);
    expect(await outbox("payment.succeeded", p.paymentNo)).toBe(1);
  });

  it("ends SUCCEEDED when a FAIL arrives after the SUCCESS (a FAIL never overrides money)", async () => {
    const p = await payment("UNIONPAY");
    await complete(p.providerPaymentNo, "SUCCESS");
    const late = await complete(p.providerPaymentNo, "FAIL");
    expect(late.answers[0]).toMatchObject({ duplicate: false, status: "SUCCEEDED" });
    expect(await status(p.paymentNo)).toBe("SUCCEEDED");
    expect(await outbox("payment.failed", p.paymentNo)).toBe(0);
    expect(await outbox("payment.succeeded", p.paymentNo)).toBe(1);
    const { rows } = await sys.pool.query(
      "SELECT outcome FROM provider_notifications WHERE subject_no = $1 AND result = 'FAIL'",
      [p.paymentNo],
    );
    expect(rows).toEqual([{ outcome: "SUCCEEDED, unchanged" }]);
  });

  it("lets a replayed old callback change nothing", async () => {
    const p = await payment("WECHAT");
    await complete(p.providerPaymentNo, "FAIL");
    await complete(p.providerPaymentNo, "SUCCESS");
    const { rows } = await sys.pool.query(
      "SELECT raw_body FROM provider_notifications WHERE subject_no = $1 ORDER BY received_at",
      [p.paymentNo],
    );
    expect(rows).toHaveLength(2);
    for (const { raw_body } of rows) {
      const answer = await callback("WECHAT", { rawBody: raw_body, signature: signAs("WECHAT", raw_body) });
      expect(answer).toMatchObject({ duplicate: true, status: "SUCCEEDED" });
    }
    expect(await notices(p.paymentNo)).toBe(2);
    expect(await outbox("payment.failed", p.paymentNo)).toBe(1);
    expect(await outbox("payment.succeeded", p.paymentNo)).toBe(1);
  });

  it("recovers a missing callback by the active query, through the same inbox", async () => {
    const p = await payment("ALIPAY");
    const sent = await complete(p.providerPaymentNo, "SUCCESS", { noCallback: true });
    expect(sent.callbacks).toBe(0);
    expect(await status(p.paymentNo)).toBe("PENDING");
    await eventually("the active query", async () => (await status(p.paymentNo)) === "SUCCEEDED");
    const { rows } = await sys.pool.query("SELECT source FROM provider_notifications WHERE subject_no = $1", [
      p.paymentNo,
    ]);
    expect(rows).toEqual([{ source: "QUERY" }]);
    // The provider's own callback arriving late is the same notification: nothing more happens.
    const late = await complete(p.providerPaymentNo, "SUCCESS");
    expect(late.answers[0]).toMatchObject({ duplicate: true });
    expect(await outbox("payment.succeeded", p.paymentNo)).toBe(1);
    await eventually("payment.succeeded delivered", () => received("payment.succeeded", p.paymentNo) === 1);
  });
});
