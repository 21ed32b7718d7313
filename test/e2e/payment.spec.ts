import "../integration/payment/payment-env";
import { randomUUID } from "node:crypto";
import { restorePaymentEnv } from "../integration/payment/payment-env";
import {
  eventually,
  type PaymentSystem,
  providerDocument,
  startPaymentSystem,
} from "../integration/payment/payment-harness";
import { devToken, request } from "../support/http";

/** The payment API over HTTP: gateway + payment + a stand-in order service. */
describe("payment API", () => {
  let sys: PaymentSystem;
  let url: string;
  beforeAll(async () => {
    sys = await startPaymentSystem(true);
    url = sys.baseUrl;
  });
  afterAll(async () => {
    await sys?.stop();
    restorePaymentEnv();
  });

  async function buyerWithCheckout(amountMinor = 9_900) {
    const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
    const parentOrderNo = sys.book.open(buyerId, amountMinor);
    return { buyerId, parentOrderNo, token: await devToken(url, buyerId, "buyer") };
  }

  it("starts a payment once per Idempotency-Key and answers where to pay", async () => {
    const b = await buyerWithCheckout();
    const headers = { "idempotency-key": `pay-${b.parentOrderNo}` };
    const body = { parentOrderNo: b.parentOrderNo, method: "ALIPAY" };
    const first = await request(url, "POST", "/api/v1/payments", { token: b.token, body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe(`/api/v1/payments/${first.body.paymentNo}`);
    expect(first.body).toMatchObject({ amountMinor: 9_900, method: "ALIPAY", status: "PENDING" });
    expect(Object.keys(first.body)).toEqual(
      expect.arrayContaining(["paymentNo", "providerPaymentNo", "payUrl", "amountMinor"]),
    );
    const again = await request(url, "POST", "/api/v1/payments", { token: b.token, body, headers });
    expect(again.body).toEqual(first.body);
    const reused = await request(url, "POST", "/api/v1/payments", {
      token: b.token,
      body: { ...body, method: "WECHAT" },
      headers,
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("validates the body and lets only buyers pay", async () => {
    const b = await buyerWithCheckout();
    const bad = await request(url, "POST", "/api/v1/payments", {
      token: b.token,
      body: { parentOrderNo: b.parentOrderNo, method: "CASH" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field: "method" } });
    const merchant = await devToken(url, "m-1", "merchant", "shop-1");
    const asMerchant = await request(url, "POST", "/api/v1/payments", {
      token: merchant,
      body: { parentOrderNo: b.parentOrderNo, method: "WECHAT" },
    });
    expect(asMerchant.status).toBe(403);
  });

  it("shows a payment to its buyer and admins only", async () => {
    const b = await buyerWithCheckout();
    const created = await request(url, "POST", "/api/v1/payments", {
      token: b.token,
      body: { parentOrderNo: b.parentOrderNo, method: "WECHAT" },
    });
    const path = `/api/v1/payments/${created.body.paymentNo}`;
    const own = await request(url, "GET", path, { token: b.token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      paymentNo: created.body.paymentNo,
      parentOrderNo: b.parentOrderNo,
      method: "WECHAT",
      providerPaymentNo: created.body.providerPaymentNo,
      status: "PENDING",
      amountMinor: 9_900,
      paidMinor: 0,
      refundedMinor: 0,
      refunds: [],
    });
    const other = await request(url, "GET", path, { token: await devToken(url, "another-buyer", "buyer") });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe("PAYMENT_NOT_FOUND");
    expect((await request(url, "GET", path, { token: await devToken(url, "op", "admin") })).status).toBe(200);
    expect(
      (await request(url, "GET", path, { token: await devToken(url, "m", "merchant", "s") })).status,
    ).toBe(403);
    expect((await request(url, "GET", path)).status).toBe(401);
  });

  it("completes a payment through the sandbox provider's signed callbacks", async () => {
    const b = await buyerWithCheckout();
    const created = await request(url, "POST", "/api/v1/payments", {
      token: b.token,
      body: { parentOrderNo: b.parentOrderNo, method: "UNIONPAY" },
    });
    const done = await request(
      url,
      "POST",
      `/api/v1/sandbox/payments/${created.body.providerPaymentNo}/complete`,
      {
        body: { result: "SUCCESS", duplicateCallbacks: 2, delayMs: 50 },
      },
    );
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ callbacks: 3, delayed: true });
    const path = `/api/v1/payments/${created.body.paymentNo}`;
    await eventually(
      "the delayed callbacks",
      async () => (await request(url, "GET", path, { token: b.token })).body.status === "SUCCEEDED",
    );
    expect((await request(url, "GET", path, { token: b.token })).body).toMatchObject({ paidMinor: 9_900 });
    await eventually(
      "payment.succeeded",
      () => sys.book.events("payment.succeeded", "paymentNo", created.body.paymentNo).length === 1,
    );
    const unknown = await request(url, "POST", "/api/v1/sandbox/payments/nope/complete", {
      body: { result: "SUCCESS" },
    });
    expect(unknown.status).toBe(404);
  });

  it("refuses unsigned or wrongly signed callbacks with 401 and unknown providers with 422", async () => {
    const b = await buyerWithCheckout();
    const created = await request(url, "POST", "/api/v1/payments", {
      token: b.token,
      body: { parentOrderNo: b.parentOrderNo, method: "WECHAT" },
    });
    const doc = providerDocument("WECHAT", {
      kind: "PAYMENT",
      paymentNo: created.body.paymentNo,
      providerPaymentNo: created.body.providerPaymentNo,
      result: "SUCCESS",
      amountMinor: 9_900,
      occurredAt: new Date().toISOString(),
    });
    const unsigned = await request(url, "POST", "/api/v1/payments/callbacks/wechat", {
      rawBody: doc.rawBody,
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe("INVALID_SIGNATURE");
    const wrong = await request(url, "POST", "/api/v1/payments/callbacks/wechat", {
      rawBody: doc.rawBody,
      headers: { "x-signature": "f".repeat(64) },
    });
    expect(wrong.status).toBe(401);
    const unknown = await request(url, "POST", "/api/v1/payments/callbacks/paypal", { rawBody: doc.rawBody });
    expect(unknown.status).toBe(422);
    const view = await request(url, "GET", `/api/v1/payments/${created.body.paymentNo}`, { token: b.token });
    expect(view.body.status).toBe("PENDING");
  });

  it("accepts a provider's HTTP callback signed in X-Signature over the raw body, once", async () => {
    const b = await buyerWithCheckout();
    const created = await request(url, "POST", "/api/v1/payments", {
      token: b.token,
      body: { parentOrderNo: b.parentOrderNo, method: "ALIPAY" },
    });
    const doc = providerDocument("ALIPAY", {
      kind: "PAYMENT",
      paymentNo: created.body.paymentNo,
      providerPaymentNo: created.body.providerPaymentNo,
      result: "SUCCESS",
      amountMinor: created.body.amountMinor,
      occurredAt: new Date().toISOString(),
    });
    for (let i = 0; i < 3; i++) {
      const res = await request(url, "POST", "/api/v1/payments/callbacks/alipay", {
        rawBody: doc.rawBody,
        headers: { "x-signature": doc.signature, "content-type": "application/json" },
      });
      expect(res.status).toBe(200);
    }
    const view = await request(url, "GET", `/api/v1/payments/${created.body.paymentNo}`, { token: b.token });
    expect(view.body.status).toBe("SUCCEEDED");
    await eventually(
      "one payment.succeeded",
      () => sys.book.events("payment.succeeded", "paymentNo", created.body.paymentNo).length === 1,
    );
  });

  it("documents the payment routes in the OpenAPI document", async () => {
    const doc = (await request(url, "GET", "/api/openapi.json")).body;
    for (const path of [
      "/api/v1/payments",
      "/api/v1/payments/{paymentNo}",
      "/api/v1/payments/callbacks/{provider}",
      "/api/v1/sandbox/payments/{providerPaymentNo}/complete",
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
  });
});
