import { ADMIN, ALL, BUYER, locatedBy, MERCHANT_OR_ADMIN, type RouteDef } from "./route-def";

const TAG = "After-sales";
const noBody = { type: "object", properties: {} };

/** After-sales routes (API.md "After-sales"). */
export const AFTER_SALES_ROUTES: readonly RouteDef[] = [
  {
    method: "POST",
    path: "/orders/:orderNo/after-sales",
    action: "order.createAfterSales",
    roles: BUYER,
    status: 201,
    location: locatedBy("after-sales", "afterSalesNo"),
    idempotent: true,
    summary:
      "Ask for a refund, a return or an exchange of some units -> {afterSalesNo, status, refundMinor}; a refund before shipment also intercepts the units",
    tag: TAG,
    body: {
      type: "object",
      required: ["type", "lines", "reason"],
      properties: {
        type: { type: "string", enum: ["REFUND_ONLY", "RETURN_REFUND", "EXCHANGE"] },
        lines: {
          type: "array",
          items: {
            type: "object",
            properties: { lineId: { type: "string" }, quantity: { type: "integer" } },
          },
        },
        reason: { type: "string" },
      },
    },
  },
  {
    method: "GET",
    path: "/after-sales",
    action: "order.listAfterSales",
    roles: ALL,
    summary: "After-sales requests: a buyer's own, a shop's, or all for operators (?status=, cursor paging)",
    tag: TAG,
  },
  {
    method: "GET",
    path: "/after-sales/:afterSalesNo",
    action: "order.getAfterSales",
    roles: ALL,
    summary: "One request with its refund, return shipment, deadline and timeline",
    tag: TAG,
  },
  {
    method: "POST",
    path: "/after-sales/:afterSalesNo/approve",
    action: "order.approveAfterSales",
    roles: MERCHANT_OR_ADMIN,
    summary:
      "Approve: a refund is paid (intercepting units not yet shipped), a return waits for the buyer's parcel",
    tag: TAG,
    body: noBody,
  },
  {
    method: "POST",
    path: "/after-sales/:afterSalesNo/reject",
    action: "order.rejectAfterSales",
    roles: MERCHANT_OR_ADMIN,
    summary: "Reject with a reason",
    tag: TAG,
    body: { type: "object", required: ["reason"], properties: { reason: { type: "string" } } },
  },
  {
    method: "POST",
    path: "/after-sales/:afterSalesNo/appeal",
    action: "order.appealAfterSales",
    roles: BUYER,
    idempotent: true,
    summary:
      "The buyer appeals the shop's rejection to the platform, once, within 7 days of it: the request is reviewed again by an operator, whose rejection is final",
    tag: TAG,
    body: {
      type: "object",
      required: ["reason"],
      properties: { reason: { type: "string", minLength: 1, maxLength: 500 } },
    },
  },
  {
    method: "POST",
    path: "/after-sales/:afterSalesNo/return-shipment",
    action: "order.returnShipment",
    roles: BUYER,
    summary: "The buyer shipped the return: carrier and tracking number (format checked per carrier)",
    tag: TAG,
    body: {
      type: "object",
      required: ["carrier", "trackingNo"],
      properties: { carrier: { type: "string" }, trackingNo: { type: "string" } },
    },
  },
  {
    method: "POST",
    path: "/after-sales/:afterSalesNo/receive",
    action: "order.receiveReturn",
    roles: MERCHANT_OR_ADMIN,
    summary:
      "The return arrived at the warehouse (退货入库): stock back on hand, then the refund or the replacement",
    tag: TAG,
    body: noBody,
  },
  {
    method: "POST",
    path: "/after-sales/:afterSalesNo/withdraw",
    action: "order.withdrawAfterSales",
    roles: BUYER,
    summary: "The buyer withdraws the request (not once a refund is on its way)",
    tag: TAG,
    body: noBody,
  },
  {
    method: "POST",
    path: "/after-sales/:afterSalesNo/retry-refund",
    action: "order.retryAfterSalesRefund",
    roles: ADMIN,
    summary:
      "Ask a refund the provider refused again now, under a new idempotency key (409 while one is on its way)",
    tag: TAG,
    body: noBody,
  },
];
