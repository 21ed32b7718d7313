import { BUYER, locatedBy, type RouteDef } from "./route-def";

const TAG = "Payment";
const methods = ["WECHAT", "ALIPAY", "UNIONPAY"];

/** Payment routes (API.md "Payment"): callbacks and the sandbox are public, they carry their own proof. */
export const PAYMENT_ROUTES: readonly RouteDef[] = [
  {
    method: "POST",
    path: "/payments",
    action: "payment.create",
    roles: BUYER,
    status: 201,
    location: locatedBy("payments", "paymentNo"),
    idempotent: true,
    summary:
      "Pay a checkout with a method -> {paymentNo, providerPaymentNo, payUrl, amountMinor}; stock is checked again first, a new method replaces the open attempt",
    tag: TAG,
    body: {
      type: "object",
      required: ["parentOrderNo", "method"],
      properties: { parentOrderNo: { type: "string" }, method: { type: "string", enum: methods } },
    },
  },
  {
    method: "GET",
    path: "/payments/:paymentNo",
    action: "payment.get",
    roles: ["buyer", "admin"],
    summary: "A payment attempt with its refunds (the buyer's own; admins any)",
    tag: TAG,
  },
  {
    method: "POST",
    path: "/payments/callbacks/:provider",
    action: "payment.callback",
    roles: "public",
    webhook: true,
    summary:
      "Provider webhook: HMAC-SHA256 of the raw body in X-Signature with the provider's configured key; unsigned or wrong -> 401, changes nothing",
    tag: TAG,
    body: { type: "object", description: "the provider's notification in its own format" },
  },
  {
    method: "POST",
    path: "/sandbox/payments/:providerPaymentNo/complete",
    action: "payment.sandboxComplete",
    roles: "public",
    summary:
      "Sandbox provider (PAYMENT_SANDBOX): the payer finishes; the provider sends its signed callback(s), or none with noCallback",
    tag: TAG,
    body: {
      type: "object",
      required: ["result"],
      properties: {
        result: { type: "string", enum: ["SUCCESS", "FAIL"] },
        duplicateCallbacks: { type: "integer", minimum: 0, maximum: 20 },
        delayMs: { type: "integer", minimum: 0 },
        noCallback: { type: "boolean" },
        refuseRefunds: { type: "integer", minimum: 0, maximum: 20 },
      },
    },
  },
];
