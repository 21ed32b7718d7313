/**
 * Durable events of the order service that other services consume (outbox -> JetStream).
 * Consumers dedupe on the envelope's eventId.
 */

/** The receiver of a child order (DOMAIN.md 3: province / city / district / detail kept apart). */
export interface OrderAddress {
  name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  postcode?: string;
}

/** `order.paid`: a child order is paid and its units are sold (reserved until shipped); fulfilment starts. */
export interface OrderPaidPayload {
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  shopId: string;
  paymentNo: string;
  paidMinor: number;
  paidAt: string;
  address: OrderAddress;
  /** Every line with the warehouse its stock is reserved in (the inventory's answer at payment). */
  lines: { lineId: string; skuId: string; quantity: number; warehouseId: string }[];
}

/** `order.address-changed`: the receiver changed (before any package shipped). */
export interface OrderAddressChangedPayload {
  orderNo: string;
  parentOrderNo: string;
  address: OrderAddress;
}
