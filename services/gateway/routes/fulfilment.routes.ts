import { CARRIERS, LOGISTICS_STATUSES, SHIPPING_METHODS } from "../../../shared/contracts/logistics.contract";
import { MERCHANT_OR_ADMIN, type RouteDef } from "./route-def";

const TAG = "Fulfilment";

/** Warehouse and logistics routes (API.md "Fulfilment and logistics"): carrier webhooks and the sandbox are public. */
export const FULFILMENT_ROUTES: readonly RouteDef[] = [
  {
    method: "POST",
    path: "/packages/:packageId/tasks",
    action: "warehouse.advanceTask",
    roles: MERCHANT_OR_ADMIN,
    summary: "Record a warehouse task step of a package (print waybill, pick, pack) with its time",
    tag: TAG,
    body: {
      type: "object",
      required: ["step"],
      properties: {
        step: { type: "string", enum: ["PRINT_WAYBILL", "PICK", "PACK"] },
        carrier: { type: "string" },
      },
    },
  },
  {
    method: "POST",
    path: "/packages/:packageId/ship",
    action: "warehouse.ship",
    roles: MERCHANT_OR_ADMIN,
    summary:
      "Hand a package over: an online waybill from the carrier, a tracking number typed by the merchant, or no logistics",
    tag: TAG,
    body: {
      type: "object",
      required: ["method"],
      properties: {
        method: { type: "string", enum: [...SHIPPING_METHODS] },
        carrier: { type: "string", enum: [...CARRIERS] },
        trackingNo: { type: "string" },
      },
    },
  },
  {
    method: "POST",
    path: "/logistics/callbacks/:carrier",
    action: "logistics.callback",
    roles: "public",
    webhook: true,
    summary:
      "Carrier tracking webhook: HMAC-SHA256 of the raw body in X-Signature with the carrier's configured key; unsigned or wrong -> 401, changes nothing",
    tag: TAG,
    body: { type: "object", description: "the carrier's tracking event" },
  },
  {
    method: "POST",
    path: "/sandbox/carriers/:carrier/waybills/:trackingNo/events",
    action: "logistics.sandboxEvent",
    roles: "public",
    summary:
      "Sandbox carrier (LOGISTICS_SANDBOX): sends a signed tracking event for the waybill, like the carrier would",
    tag: TAG,
    body: {
      type: "object",
      required: ["status"],
      properties: {
        status: { type: "string", enum: [...LOGISTICS_STATUSES] },
        at: { type: "string", format: "date-time" },
        description: { type: "string" },
        duplicates: { type: "integer", minimum: 0, maximum: 20 },
        delayMs: { type: "integer", minimum: 0 },
      },
    },
  },
];
