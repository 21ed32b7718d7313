import { SHIPPING_METHODS } from "../../shared/contracts/logistics.contract";

/** Validation schemas (fastest-validator) of the warehouse actions; errors name the field (422). */

const orderNo = { type: "string", pattern: /^\d{16,20}$/ } as const;
const packageId = { type: "string", min: 1, max: 64 } as const;
const carrier = { type: "string", max: 32, optional: true } as const;

export const ADVANCE_TASK_PARAMS = {
  packageId,
  step: { type: "enum", values: ["PRINT_WAYBILL", "PICK", "PACK"] },
  carrier,
  $$strict: "remove",
} as const;

export const SHIP_PARAMS = {
  packageId,
  method: { type: "enum", values: [...SHIPPING_METHODS] },
  carrier,
  trackingNo: { type: "string", max: 64, optional: true },
  $$strict: "remove",
} as const;

export const PACKAGES_OF_PARAMS = { orderNo, $$strict: "remove" } as const;

export const PACKAGE_ID_PARAMS = { packageId, $$strict: "remove" } as const;

export const INTERCEPT_PARAMS = {
  orderNo,
  interceptId: { type: "string", min: 1, max: 128 },
  lines: {
    type: "array",
    optional: true,
    min: 1,
    max: 200,
    items: {
      type: "object",
      strict: "remove",
      props: {
        lineId: { type: "string", min: 1, max: 64 },
        quantity: { type: "number", integer: true, min: 1, max: 1_000_000 },
      },
    },
  },
  reason: { type: "string", min: 1, max: 200 },
  $$strict: "remove",
} as const;

// SKU and warehouse ids are parts of the inventory's keys: same pattern as there.
const stockId = { type: "string", min: 1, max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/ } as const;
const quantity = { type: "number", integer: true, min: 1, max: 1_000_000 } as const;
const lineId = { type: "string", min: 1, max: 64 } as const;

export const RECEIVE_RETURN_PARAMS = {
  returnId: { type: "string", min: 1, max: 128 },
  orderNo,
  lines: {
    type: "array",
    min: 1,
    max: 100,
    items: {
      type: "object",
      strict: "remove",
      props: { lineId, skuId: stockId, warehouseId: stockId, quantity },
    },
  },
  $$strict: "remove",
} as const;

const addressText = (max: number) => ({ type: "string", min: 1, max }) as const;

export const CREATE_REPLACEMENT_PARAMS = {
  // An after-sales number (same format as order numbers): package ids `<afterSalesNo>-<n>` never meet the order's.
  afterSalesNo: orderNo,
  orderNo,
  shopId: { type: "string", min: 1, max: 64 },
  buyerId: { type: "string", min: 1, max: 128 },
  address: {
    type: "object",
    strict: "remove",
    props: {
      name: addressText(100),
      phone: addressText(32),
      province: addressText(32),
      city: addressText(64),
      district: addressText(64),
      detail: addressText(300),
      postcode: { type: "string", max: 16, optional: true },
    },
  },
  lines: {
    type: "array",
    min: 1,
    max: 100,
    items: { type: "object", strict: "remove", props: { lineId, skuId: stockId, quantity } },
  },
  $$strict: "remove",
} as const;
