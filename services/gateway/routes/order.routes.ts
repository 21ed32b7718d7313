import { ADMIN, ALL, BUYER, locatedBy, MERCHANT_OR_ADMIN, type RouteDef } from "./route-def";

const address = {
  type: "object",
  required: ["name", "phone", "province", "city", "district", "detail"],
  properties: {
    name: { type: "string" },
    phone: { type: "string" },
    province: { type: "string" },
    city: { type: "string" },
    district: { type: "string" },
    detail: { type: "string" },
    postcode: { type: "string" },
  },
};

const checkout = {
  type: "object",
  required: ["lines", "address", "sourceChannel"],
  properties: {
    lines: {
      type: "array",
      items: {
        type: "object",
        required: ["skuId", "quantity"],
        properties: { skuId: { type: "string" }, quantity: { type: "integer", minimum: 1 } },
      },
    },
    address,
    couponIds: { type: "array", items: { type: "string" } },
    coins: { type: "integer", minimum: 0 },
    sourceChannel: { type: "string", enum: ["APP", "H5", "MINI_PROGRAM", "PC", "OPEN_API"] },
    orderType: { type: "string", enum: ["STANDARD"] },
    invoice: {
      type: "object",
      properties: {
        type: { type: "string", enum: ["PERSONAL", "COMPANY"] },
        title: { type: "string" },
        taxNumber: { type: "string" },
      },
    },
    buyerNote: { type: "string" },
  },
};

const duration = { type: "string", example: "30m" };

/** Checkout and order routes (API.md "Checkout and orders"). */
export const ORDER_ROUTES: readonly RouteDef[] = [
  {
    method: "POST",
    path: "/checkout/quote",
    action: "order.quote",
    roles: BUYER,
    summary: "Price a checkout, no side effects",
    tag: "Orders",
    body: checkout,
  },
  {
    method: "POST",
    path: "/orders",
    action: "order.create",
    roles: BUYER,
    summary: "Place an order: one parent (payment unit) and one child per shop",
    tag: "Orders",
    body: checkout,
    status: 201,
    location: locatedBy("parent-orders", "parentOrderNo"),
    idempotent: true,
  },
  {
    method: "GET",
    path: "/orders",
    action: "order.list",
    roles: ALL,
    summary: "Role-aware order list with tabs and filters",
    tag: "Orders",
  },
  {
    method: "GET",
    path: "/orders/:orderNo",
    action: "order.get",
    roles: ALL,
    summary: "Order detail for the caller's role",
    tag: "Orders",
  },
  {
    method: "GET",
    path: "/orders/:orderNo/timeline",
    action: "order.timeline",
    roles: ALL,
    summary: "Every transition with who and why",
    tag: "Orders",
  },
  {
    method: "GET",
    path: "/parent-orders/:parentOrderNo",
    action: "order.getParent",
    roles: ALL,
    summary: "A checkout's parent order; with waitMs, a long poll for the payment result",
    tag: "Orders",
    query: {
      waitMs: {
        description:
          "While a child order is PENDING_PAYMENT, hold the answer until the checkout is paid or closed, or " +
          "this many ms pass (at most the gateway's request timeout less 1 s), then answer the checkout as it is",
        schema: { type: "integer", minimum: 0, maximum: 10_000 },
      },
    },
  },
  {
    method: "POST",
    path: "/orders/:orderNo/cancel",
    action: "order.cancel",
    roles: ALL,
    summary: "Cancel before payment (buyer or operator: the whole checkout; merchant: its own order)",
    tag: "Orders",
    body: { type: "object", properties: { reason: { type: "string" } } },
  },
  {
    method: "PATCH",
    path: "/orders/:orderNo/address",
    action: "order.changeAddress",
    roles: ["buyer", "admin"],
    summary: "Change the receiver before shipment",
    tag: "Orders",
    body: address,
  },
  {
    method: "POST",
    path: "/orders/:orderNo/price-adjustments",
    action: "order.adjustPrice",
    roles: MERCHANT_OR_ADMIN,
    summary: "Change line prices or the shipping fee before payment; discounts are re-allocated",
    tag: "Orders",
    body: {
      type: "object",
      required: ["lines"],
      properties: {
        lines: {
          type: "array",
          items: {
            type: "object",
            properties: { lineId: { type: "string" }, unitPriceMinor: { type: "integer" } },
          },
        },
        shippingFeeMinor: { type: "integer" },
      },
    },
  },
  {
    method: "POST",
    path: "/orders/:orderNo/confirm-receipt",
    action: "order.confirmReceipt",
    roles: BUYER,
    summary: "The buyer confirms receipt of a shipped order -> COMPLETED; the after-sales window starts",
    tag: "Orders",
  },
  {
    method: "POST",
    path: "/orders/:orderNo/review",
    action: "order.review",
    roles: BUYER,
    summary: "The buyer reviews a completed order (once)",
    tag: "Orders",
    body: {
      type: "object",
      required: ["rating"],
      properties: { rating: { type: "integer", minimum: 1, maximum: 5 }, comment: { type: "string" } },
    },
  },
  {
    method: "GET",
    path: "/orders/:orderNo/packages",
    action: "order.packages",
    roles: ALL,
    summary: "The order's packages with lines, carrier, tracking number, status and tracking events",
    tag: "Fulfilment",
  },
  {
    method: "PUT",
    path: "/admin/order-types/:orderType",
    action: "order.configureOrderType",
    roles: ADMIN,
    summary: "Timers of an order type, for orders created afterwards",
    tag: "Orders",
    body: {
      type: "object",
      properties: {
        paymentTimeout: duration,
        autoConfirmAfter: duration,
        afterSalesWindow: duration,
        afterSalesReviewTimeout: duration,
        buyerReturnTimeout: duration,
        autoReceiveAfter: duration,
        shipWithin: duration,
      },
    },
  },
  {
    method: "GET",
    path: "/admin/order-types/:orderType",
    action: "order.getOrderType",
    roles: ADMIN,
    summary: "Timers of an order type",
    tag: "Orders",
  },
  {
    method: "POST",
    path: "/admin/refunds/:refundNo/retry",
    action: "order.retryRefusedRefund",
    roles: ADMIN,
    summary:
      "Ask again now a refund the provider refused: a child closed sold out, money no child kept, a duplicate payment (after-sales requests: /after-sales/{no}/retry-refund); 409 once asked again",
    tag: "Orders",
    body: { type: "object", properties: {} },
  },
];
