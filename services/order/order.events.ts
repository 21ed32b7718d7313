import { ORDER_CHANNELS } from "../../shared/contracts/order.contract";

/** Durable events of the order service (outbox -> JetStream channel). Payloads carry ids; consumers re-read the rest. */
export const ORDER_EVENTS = { ...ORDER_CHANNELS, priceChanged: "order.price-changed" } as const;

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

export type {
  AfterSalesStepPayload,
  OrderAddressChangedPayload,
  OrderPaidPayload,
  OrderPlacedPayload,
  OrderStepPayload,
} from "../../shared/contracts/order.contract";
