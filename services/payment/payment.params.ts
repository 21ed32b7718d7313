import { PAYMENT_METHODS } from "../../shared/contracts/payment.contract";

/** Validation schemas (fastest-validator) of the payment actions; errors name the field (422). */

const number = { type: "string", pattern: /^\d{16,20}$/ } as const;

export const CREATE_PARAMS = {
  parentOrderNo: number,
  method: { type: "enum", values: [...PAYMENT_METHODS] },
  $$strict: "remove",
} as const;

export const PAYMENT_NO_PARAMS = { paymentNo: number } as const;

export const FOR_PARENT_PARAMS = { parentOrderNo: number } as const;

export const REFUND_PARAMS = {
  parentOrderNo: number,
  orderNo: { ...number, nullable: true, optional: true },
  amountMinor: { type: "number", integer: true, positive: true, max: 1e12 },
  reason: { type: "string", min: 1, max: 200 },
  idempotencyKey: { type: "string", min: 1, max: 128 },
  retry: { type: "boolean", optional: true },
  $$strict: "remove",
} as const;

/**
 * A provider callback: the provider from the path, and the exact raw body with its X-Signature -
 * from the gateway's `ctx.meta` (`rawBody`, `signature`) or, on the broker path the sandbox uses,
 * as params. Anything else (a parsed body) is dropped; only the signed raw body counts.
 */
export const CALLBACK_PARAMS = {
  provider: { type: "string", pattern: /^(wechat|alipay|unionpay)$/i },
  rawBody: { type: "string", max: 65_536, optional: true },
  signature: { type: "string", max: 256, optional: true },
  $$strict: "remove",
} as const;

export const SANDBOX_COMPLETE_PARAMS = {
  providerPaymentNo: { type: "string", pattern: /^[0-9A-Za-z_-]{1,64}$/ },
  result: { type: "enum", values: ["SUCCESS", "FAIL"] },
  duplicateCallbacks: { type: "number", integer: true, min: 0, max: 20, optional: true, convert: true },
  delayMs: { type: "number", integer: true, min: 0, max: 600_000, optional: true, convert: true },
  noCallback: { type: "boolean", optional: true, convert: true },
  refuseRefunds: { type: "number", integer: true, min: 0, max: 20, optional: true, convert: true },
  $$strict: "remove",
} as const;

const ledgerNo = { type: "string", pattern: /^\d{16,20}$/ } as const;

/** `payment.ledger` (internal): a window page, or lookups by number. */
export const LEDGER_PARAMS = {
  kind: { type: "enum", values: ["payments", "refunds"] },
  from: { type: "date", convert: true, optional: true },
  to: { type: "date", convert: true, optional: true },
  after: {
    type: "object",
    optional: true,
    props: { at: { type: "date", convert: true }, no: ledgerNo },
  },
  limit: { type: "number", integer: true, min: 1, max: 5_000, optional: true },
  // Whatever the orders hold: a number that is not one of ours is simply not found.
  nos: { type: "array", items: { type: "string", max: 64 }, max: 5_000, optional: true },
  $$strict: "remove",
} as const;
