import { SOURCE_CHANNEL_DIGITS } from "../../shared/order-number/order-number";
import { LONG_POLL_MAX_MS } from "./checkout-waiters";
import { BUYER_TABS, MERCHANT_TABS } from "./domain/order-view";

/** Validation schemas (fastest-validator) of the order actions; errors name the field (422). */

const text = (max: number) => ({ type: "string", min: 1, max, trim: true });
const optionalText = (max: number) => ({ type: "string", max, optional: true });

export const ADDRESS_PROPS = {
  name: text(64),
  phone: {
    type: "string",
    pattern: /^\+?[0-9][0-9 -]{5,19}$/,
    messages: { stringPattern: "phone must be a phone number" },
  },
  province: text(32),
  city: text(32),
  district: text(32),
  detail: text(200),
  postcode: { type: "string", pattern: /^[0-9]{6}$/, optional: true },
};

export const CHECKOUT_PARAMS = {
  lines: {
    type: "array",
    min: 1,
    max: 50,
    items: {
      type: "object",
      strict: true,
      props: {
        skuId: text(64),
        quantity: { type: "number", integer: true, positive: true, max: 9999 },
      },
    },
  },
  address: { type: "object", strict: true, props: ADDRESS_PROPS },
  couponIds: { type: "array", items: text(64), max: 5, optional: true },
  coins: { type: "number", integer: true, min: 0, max: 100_000_000, optional: true },
  sourceChannel: { type: "enum", values: Object.keys(SOURCE_CHANNEL_DIGITS) },
  orderType: { type: "enum", values: ["STANDARD"], optional: true },
  invoice: {
    type: "object",
    optional: true,
    strict: true,
    props: {
      type: { type: "enum", values: ["PERSONAL", "COMPANY"] },
      title: text(100),
      taxNumber: optionalText(32),
    },
  },
  buyerNote: optionalText(500),
  $$strict: "remove",
} as const;

export const ORDER_NO_PARAM = { orderNo: { type: "string", pattern: /^\d{16,20}$/ } } as const;

/** GET /parent-orders/{parentOrderNo}?waitMs=: `waitMs` makes it a long poll while the checkout awaits payment. */
export const PARENT_ORDER_PARAMS = {
  parentOrderNo: { type: "string", pattern: /^\d{16,20}$/ },
  waitMs: { type: "number", integer: true, min: 0, max: LONG_POLL_MAX_MS, convert: true, optional: true },
} as const;

export const AFTER_SALES_NO_PARAM = { afterSalesNo: { type: "string", pattern: /^\d{16,20}$/ } } as const;

export const LIST_PARAMS = {
  tab: { type: "enum", values: [...new Set([...BUYER_TABS, ...MERCHANT_TABS])], optional: true },
  from: { type: "date", convert: true, optional: true },
  to: { type: "date", convert: true, optional: true },
  orderNo: { type: "string", pattern: /^\d{16,20}$/, optional: true },
  skuId: optionalText(64),
  buyerId: optionalText(64),
  afterSalesStatus: {
    type: "enum",
    values: ["NONE", "IN_PROGRESS", "PARTIALLY_REFUNDED", "REFUNDED"],
    optional: true,
  },
  sourceChannel: { type: "enum", values: Object.keys(SOURCE_CHANNEL_DIGITS), optional: true },
  province: optionalText(32),
  overdue: { type: "boolean", convert: true, optional: true },
  includeArchived: { type: "boolean", convert: true, optional: true },
  limit: { type: "number", integer: true, min: 1, max: 100, convert: true, optional: true },
  cursor: optionalText(200),
} as const;

export const PRICE_ADJUSTMENT_PARAMS = {
  ...ORDER_NO_PARAM,
  lines: {
    type: "array",
    min: 1,
    max: 50,
    items: {
      type: "object",
      strict: true,
      props: { lineId: text(16), unitPriceMinor: { type: "number", integer: true, min: 0, max: 1e12 } },
    },
  },
  shippingFeeMinor: { type: "number", integer: true, min: 0, max: 1e9, optional: true },
} as const;

const duration = { type: "string", pattern: /^\d{1,9}(ms|s|m|h|d)$/, optional: true };
export const ORDER_TYPE_PARAMS = {
  orderType: { type: "enum", values: ["STANDARD"] },
  paymentTimeout: duration,
  autoConfirmAfter: duration,
  afterSalesWindow: duration,
  afterSalesReviewTimeout: duration,
  buyerReturnTimeout: duration,
  autoReceiveAfter: duration,
  shipWithin: duration,
} as const;
