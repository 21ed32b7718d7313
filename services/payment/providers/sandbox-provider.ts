import { randomBytes } from "node:crypto";
import type { Pool } from "pg";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { OmsError } from "../../../shared/errors";
import { signBody } from "../../../shared/webhooks/signature";
import type { PaymentNotice, ProviderResult, RefundNotice } from "../domain/notice";
import {
  closeSandboxPayment,
  findSandboxPayment,
  findSandboxRefund,
  openSandboxPayment,
  refundAtSandbox,
  type SandboxPayment,
  type SandboxRefund,
} from "../store/sandbox.repo";
import type {
  CloseOutcome,
  CreatedPayment,
  CreatePaymentRequest,
  PaymentProvider,
  ProviderFormat,
  RefundRequest,
  SignedDocument,
} from "./provider";

/** Sends a provider's signed document to the merchant's callback endpoint. */
export type CallbackSender = (method: PaymentMethod, document: SignedDocument) => Promise<unknown>;

/** Providers report whole seconds (Alipay and UnionPay have no finer field). */
export const wholeSecond = (at: Date) => new Date(Math.floor(at.getTime() / 1000) * 1000);

/**
 * A sandbox provider that behaves like the third party: its own numbers and pay URLs, its own
 * records (tables `sandbox_*`), signed notifications in its wire format, answers to queries, and
 * refunds that it confirms asynchronously with a signed callback.
 */
export class SandboxProvider implements PaymentProvider {
  readonly method: PaymentMethod;

  constructor(
    readonly format: ProviderFormat,
    private readonly secret: string,
    private readonly pool: Pool,
    private readonly sendLater: (send: () => Promise<unknown>, delayMs: number) => void,
    private readonly sendCallback: CallbackSender,
  ) {
    this.method = format.method;
  }

  async createPayment(request: CreatePaymentRequest): Promise<CreatedPayment> {
    const opened = await openSandboxPayment(this.pool, {
      providerPaymentNo: this.format.providerPaymentNo(new Date(), randomBytes(16)),
      method: this.method,
      paymentNo: request.paymentNo,
      amountMinor: request.amountMinor,
    });
    return {
      providerPaymentNo: opened.providerPaymentNo,
      payUrl: this.format.payUrl(opened.providerPaymentNo, opened.amountMinor),
    };
  }

  async queryPayment(providerPaymentNo: string): Promise<SignedDocument | null> {
    const payment = await findSandboxPayment(this.pool, providerPaymentNo);
    if (!payment || payment.status === "PENDING" || payment.status === "CLOSED") return null;
    return this.paymentDocument(payment, payment.status);
  }

  /** Like closeorder / trade.close: an unpaid payment can no longer be paid; a paid one answers ALREADY_PAID. */
  async close(providerPaymentNo: string): Promise<CloseOutcome> {
    const payment = await closeSandboxPayment(
      this.pool,
      this.method,
      providerPaymentNo,
      wholeSecond(new Date()),
    );
    if (!payment) throw new OmsError("NOT_FOUND", "ORDER_NOT_EXIST", { providerPaymentNo });
    return payment.status === "SUCCESS" ? "ALREADY_PAID" : "CLOSED";
  }

  async refund(request: RefundRequest): Promise<{ providerRefundNo: string }> {
    const refund = await refundAtSandbox(this.pool, this.method, {
      providerRefundNo: this.format.providerRefundNo(new Date(), randomBytes(16)),
      refundNo: request.refundNo,
      providerPaymentNo: request.providerPaymentNo,
      amountMinor: request.amountMinor,
      completedAt: wholeSecond(new Date()),
    });
    // Like a real provider: accept now, confirm by a signed callback a moment later.
    this.sendLater(() => this.sendCallback(this.method, this.refundDocument(refund)), 0);
    return { providerRefundNo: refund.providerRefundNo };
  }

  async queryRefund(refundNo: string): Promise<SignedDocument | null> {
    const refund = await findSandboxRefund(this.pool, this.method, refundNo);
    return refund ? this.refundDocument(refund) : null;
  }

  /** The notification this provider sends for a payment record it completed with `result`. */
  completedDocument(payment: SandboxPayment, result: ProviderResult): SignedDocument {
    return this.paymentDocument(payment, result);
  }

  /** Sends `count` copies of a document to the callback endpoint, after `delayMs` when given. */
  async deliver(document: SignedDocument, count: number, delayMs?: number): Promise<unknown[]> {
    const sendAll = () =>
      Promise.all(Array.from({ length: count }, () => this.sendCallback(this.method, document)));
    if (delayMs === undefined) return sendAll();
    this.sendLater(sendAll, delayMs);
    return [];
  }

  private paymentDocument(payment: SandboxPayment, result: ProviderResult): SignedDocument {
    const at = (result === "SUCCESS" ? payment.succeededAt : payment.failedAt) ?? new Date();
    const notice: Omit<PaymentNotice, "notificationId"> = {
      kind: "PAYMENT",
      paymentNo: payment.paymentNo,
      providerPaymentNo: payment.providerPaymentNo,
      result,
      amountMinor: payment.amountMinor,
      occurredAt: wholeSecond(at).toISOString(),
      ...(result === "FAIL" ? { reason: "PAYER_CANCELLED" } : {}),
    };
    return this.sign({ ...notice, notificationId: this.format.notificationId(notice) });
  }

  private refundDocument(refund: SandboxRefund): SignedDocument {
    const notice: Omit<RefundNotice, "notificationId"> = {
      kind: "REFUND",
      refundNo: refund.refundNo,
      providerRefundNo: refund.providerRefundNo,
      paymentNo: refund.paymentNo,
      providerPaymentNo: refund.providerPaymentNo,
      result: refund.status,
      amountMinor: refund.amountMinor,
      occurredAt: refund.completedAt.toISOString(),
      ...(refund.failureReason ? { reason: refund.failureReason } : {}),
    };
    return this.sign({ ...notice, notificationId: this.format.notificationId(notice) });
  }

  private sign(notice: PaymentNotice | RefundNotice): SignedDocument {
    const rawBody = this.format.encode(notice);
    return { rawBody, signature: signBody(this.secret, rawBody) };
  }
}
