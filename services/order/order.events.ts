/** Durable events of the order service (outbox -> JetStream channel). Payloads carry ids; consumers re-read the rest. */
export const ORDER_EVENTS = {
  placed: "order.placed",
  closed: "order.closed",
  priceChanged: "order.price-changed",
  addressChanged: "order.address-changed",
} as const;

/** `order.closed`: a child order closed before payment; its holds must be returned. */
export interface OrderClosedPayload {
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  reason: string;
  /** Every child of the parent is closed now: the checkout's coupons and coins go back. */
  parentFullyClosed: boolean;
}
