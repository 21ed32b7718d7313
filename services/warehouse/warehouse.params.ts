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
