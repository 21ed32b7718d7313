import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import type { NoticeContent, ProviderNotice } from "../domain/notice";

/** A provider's document as it travels: the exact body and its `X-Signature`. */
export interface SignedDocument {
  rawBody: string;
  signature: string;
}

export interface CreatePaymentRequest {
  paymentNo: string;
  amountMinor: number;
  currency: "CNY";
  description: string;
}

export interface CreatedPayment {
  providerPaymentNo: string;
  payUrl: string;
}

export interface RefundRequest {
  paymentNo: string;
  providerPaymentNo: string;
  refundNo: string;
  amountMinor: number;
  totalMinor: number;
}

/**
 * A provider's answer to a close: CLOSED (nobody can pay it any more), or ALREADY_PAID (the payer
 * paid before the close arrived; that result reaches us as a notification or a query answer).
 */
export type CloseOutcome = "CLOSED" | "ALREADY_PAID";

/** How one provider numbers things and writes its notifications (pure: no I/O). */
export interface ProviderFormat {
  readonly method: PaymentMethod;
  /** A new provider payment number; `random` gives the unpredictable part. */
  providerPaymentNo(now: Date, random: Buffer): string;
  providerRefundNo(now: Date, random: Buffer): string;
  /** Where the buyer pays (a QR code URL, an app scheme or a cashier page). */
  payUrl(providerPaymentNo: string, amountMinor: number): string;
  /** The provider's notification id for a result: the same fact always gets the same id. */
  notificationId(notice: NoticeContent): string;
  /** The notification body exactly as the provider sends it. */
  encode(notice: ProviderNotice): string;
  /** Reads a (signature-checked) body; BAD_REQUEST naming the field when it is not this provider's format. */
  decode(rawBody: string): ProviderNotice;
}

/**
 * One payment provider behind the common interface. The sandbox implements it; a real adapter
 * (WeChat Pay, Alipay, UnionPay over HTTPS) plugs in with the same five calls. Query answers are
 * signed notification documents, so they go through the same verify-and-apply path as callbacks.
 */
export interface PaymentProvider {
  readonly method: PaymentMethod;
  readonly format: ProviderFormat;
  /** Opens a payment at the provider; idempotent per paymentNo. */
  createPayment(request: CreatePaymentRequest): Promise<CreatedPayment>;
  /** The provider's final word on a payment as a signed notification, or null while it has none. */
  queryPayment(providerPaymentNo: string): Promise<SignedDocument | null>;
  /**
   * Closes an unpaid payment so the payer can no longer pay it (WeChat Pay closeorder, Alipay
   * trade.close); idempotent. Throws when the provider cannot be reached or refuses: the close is retried.
   */
  close(providerPaymentNo: string): Promise<CloseOutcome>;
  /** Asks the provider to refund; idempotent per refundNo. The result arrives as a notification. */
  refund(request: RefundRequest): Promise<{ providerRefundNo: string }>;
  queryRefund(refundNo: string): Promise<SignedDocument | null>;
}
