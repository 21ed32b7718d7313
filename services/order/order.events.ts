import { ORDER_CHANNELS } from "../../shared/contracts/order.contract";

/** Durable events of the order service (outbox -> JetStream channel). Payloads carry ids; consumers re-read the rest. */
export const ORDER_EVENTS = { ...ORDER_CHANNELS, priceChanged: "order.price-changed" } as const;

export type {
  AfterSalesStepPayload,
  OrderAddressChangedPayload,
  OrderClosedPayload,
  OrderPaidPayload,
  OrderPlacedPayload,
  OrderStepPayload,
} from "../../shared/contracts/order.contract";
