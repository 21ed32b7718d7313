/** What a provider tells us, whatever its wire format: a payment or a refund reached a final result. */

export type ProviderResult = "SUCCESS" | "FAIL";

/** A payment attempt at the provider succeeded (money arrived) or failed. */
export interface PaymentNotice {
  kind: "PAYMENT";
  /** The provider's id of this notification; duplicates and replays carry the same id. */
  notificationId: string;
  paymentNo: string;
  providerPaymentNo: string;
  result: ProviderResult;
  amountMinor: number;
  /** ISO-8601 instant the provider reports. */
  occurredAt: string;
  reason?: string;
}

/** A refund at the provider succeeded or failed. */
export interface RefundNotice {
  kind: "REFUND";
  notificationId: string;
  refundNo: string;
  providerRefundNo: string;
  paymentNo: string;
  providerPaymentNo: string;
  result: ProviderResult;
  amountMinor: number;
  occurredAt: string;
  reason?: string;
}

export type ProviderNotice = PaymentNotice | RefundNotice;

/** Where a notice came from: the provider's callback, or our active query of the provider. */
export type NoticeSource = "CALLBACK" | "QUERY";

/** A notice before the provider gave it its id (the id is derived from this content). */
export type NoticeContent = Omit<PaymentNotice, "notificationId"> | Omit<RefundNotice, "notificationId">;
