/** Durable events of the order service (outbox -> JetStream channel). Payloads carry ids; consumers re-read the rest. */
export const ORDER_EVENTS = {
  placed: "order.placed",
  closed: "order.closed",
  paid: "order.paid",
  priceChanged: "order.price-changed",
  addressChanged: "order.address-changed",
  shipped: "order.shipped",
  completed: "order.completed",
  finished: "order.finished",
  reviewed: "order.reviewed",
} as const;

/** `order.shipped` / `order.completed` / `order.finished` / `order.reviewed`: a fulfilment step of a child order. */
export interface OrderStepPayload {
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  shopId: string;
  /** The order's status after the step. */
  status: string;
  at: string;
}

/** `order.closed`: a child order closed before payment; its holds must be returned. */
export interface OrderClosedPayload {
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  reason: string;
  /** Every child is closed now: all the checkout's lock still holds goes back, else this child's part. */
  parentFullyClosed: boolean;
  /** The closer already returned the holds (closed out of stock while settling a payment). */
  holdsReturned?: boolean;
}

export type { OrderAddressChangedPayload, OrderPaidPayload } from "../../shared/contracts/order.contract";
