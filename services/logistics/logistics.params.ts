import { LOGISTICS_STATUSES } from "../../shared/contracts/logistics.contract";

/**
 * Validation schemas (fastest-validator) of the logistics actions; errors name the field (422).
 * Carrier codes are checked by the commands (CARRIER_UNKNOWN naming the field).
 */

const carrier = { type: "string", min: 1, max: 32 } as const;
const id = { type: "string", min: 1, max: 64 } as const;
const trackingNo = { type: "string", min: 1, max: 64 } as const;
const line = (max: number) => ({ type: "string", min: 1, max }) as const;

export const CREATE_WAYBILL_PARAMS = {
  carrier,
  packageId: id,
  orderNo: id,
  address: {
    type: "object",
    strict: "remove",
    props: {
      name: line(64),
      phone: line(32),
      province: line(64),
      city: line(64),
      district: line(64),
      detail: line(256),
      postcode: { type: "string", max: 16, optional: true },
    },
  },
  weightGrams: { type: "number", integer: true, positive: true, max: 1_000_000 },
  $$strict: "remove",
} as const;

export const REGISTER_SHIPMENT_PARAMS = {
  carrier,
  trackingNo,
  packageId: id,
  orderNo: id,
  method: { type: "enum", values: ["ONLINE_WAYBILL", "MANUAL"] },
  $$strict: "remove",
} as const;

export const CANCEL_WAYBILL_PARAMS = {
  waybillNo: { ...trackingNo, optional: true },
  carrier: { ...carrier, optional: true },
  packageId: { ...id, optional: true },
  reason: line(200),
  $$strict: "remove",
} as const;

export const TRACKING_PARAMS = {
  packageIds: { type: "array", items: id, max: 200 },
  $$strict: "remove",
} as const;

/**
 * A carrier webhook: the carrier from the path, and the exact raw body with its X-Signature - from
 * the gateway's `ctx.meta` (`rawBody`, `signature`) or, on the broker path the sandbox uses, as
 * params. Anything else (the parsed body) is dropped; only the signed raw body counts.
 */
export const CALLBACK_PARAMS = {
  carrier,
  rawBody: { type: "string", max: 65_536, optional: true },
  signature: { type: "string", max: 256, optional: true },
  $$strict: "remove",
} as const;

export const SANDBOX_EVENT_PARAMS = {
  carrier,
  trackingNo,
  status: { type: "enum", values: [...LOGISTICS_STATUSES] },
  at: { type: "string", max: 64, optional: true },
  description: { type: "string", max: 200, optional: true },
  duplicates: { type: "number", integer: true, min: 0, max: 20, optional: true, convert: true },
  delayMs: { type: "number", integer: true, min: 0, max: 600_000, optional: true, convert: true },
  $$strict: "remove",
} as const;
