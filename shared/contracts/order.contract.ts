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

/** The order service's durable channels that other services consume. */
export const ORDER_CHANNELS = {
  placed: "order.placed",
  paid: "order.paid",
  closed: "order.closed",
  addressChanged: "order.address-changed",
  shipped: "order.shipped",
  completed: "order.completed",
  finished: "order.finished",
  reviewed: "order.reviewed",
  /** The ship-by deadline passed with units not handed over (payload OrderStepPayload with `shipBy`). */
  shipOverdue: "order.ship-overdue",
  afterSalesCreated: "aftersales.created",
  afterSalesApproved: "aftersales.approved",
  afterSalesRejected: "aftersales.rejected",
  afterSalesRefunded: "aftersales.refunded",
  afterSalesSucceeded: "aftersales.succeeded",
  afterSalesClosed: "aftersales.closed",
  /** The buyer appealed a rejected request to the platform (payload AfterSalesStepPayload, the appeal's reason). */
  afterSalesAppealed: "aftersales.appealed",
  /** The daily reconciliation of a day finished (payload ReconciledPayload). */
  reconciled: "settlement.reconciled",
} as const;

/** `settlement.reconciled`: what the daily reconciliation of a (Shanghai) day found. */
export interface ReconciledPayload {
  /** The day, YYYY-MM-DD. */
  date: string;
  mismatchCount: number;
  /** Mismatches per kind (docs/settlement.md), only the kinds found. */
  byKind: Record<string, number>;
  /** More mismatches than the report keeps: the count is a lower bound. */
  truncated: boolean;
}

/** `order.placed`: a child order was created, waiting for payment until `paymentDeadline`. */
export interface OrderPlacedPayload {
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  shopId: string;
  payableMinor: number;
  paymentDeadline: string;
}

/** `order.shipped` / `order.completed` / `order.finished` / `order.reviewed`: a fulfilment step of a child order. */
export interface OrderStepPayload {
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  shopId: string;
  /** The order's status after the step. */
  status: string;
  at: string;
  /** `order.shipped` once SHIPPED: when receipt is confirmed automatically. */
  autoConfirmAt?: string | null;
  /** `order.ship-overdue`: the deadline the shop missed. */
  shipBy?: string;
  /** `order.shipped`: the package handed over. */
  packageId?: string;
  carrier?: string | null;
  trackingNo?: string | null;
}

/** `aftersales.*`: a step of an after-sales request (created, approved, rejected, refunded, succeeded, closed). */
export interface AfterSalesStepPayload {
  afterSalesNo: string;
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  shopId: string;
  type: "REFUND_ONLY" | "RETURN_REFUND" | "EXCHANGE";
  status: string;
  /** What the request refunds (0 for an exchange). */
  refundMinor: number;
  reason: string | null;
  at: string;
}

/** `order.closed`: a child order closed before payment; its holds must be returned. */
export interface OrderClosedPayload {
  shopId: string;
  orderNo: string;
  parentOrderNo: string;
  buyerId: string;
  reason: string;
  /** Every child is closed now: all the checkout's lock still holds goes back, else this child's part. */
  parentFullyClosed: boolean;
  /** The closer already returned the holds (closed out of stock while settling a payment). */
  holdsReturned?: boolean;
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
