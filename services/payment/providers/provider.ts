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
 * (WeChat Pay, Alipay, UnionPay over HTTPS) plugs in with the same four calls. Query answers are
 * signed notification documents, so they go through the same verify-and-apply path as callbacks.
 */
export interface PaymentProvider {
  readonly method: PaymentMethod;
  readonly format: ProviderFormat;
  /** Opens a payment at the provider; idempotent per paymentNo. */
  createPayment(request: CreatePaymentRequest): Promise<CreatedPayment>;
  /** The provider's final word on a payment as a signed notification, or null while it has none. */
  queryPayment(providerPaymentNo: string): Promise<SignedDocument | null>;
  /** Asks the provider to refund; idempotent per refundNo. The result arrives as a notification. */
  refund(request: RefundRequest): Promise<{ providerRefundNo: string }>;
  queryRefund(refundNo: string): Promise<SignedDocument | null>;
}
