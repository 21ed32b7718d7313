import {
  PAYMENT_CHANNELS,
  type PaymentFailedPayload,
  type PaymentSucceededPayload,
  type RefundFailedPayload,
  type RefundSucceededPayload,
} from "../../../shared/contracts/payment.contract";
import { type EventEnvelope, newEvent } from "../../../shared/outbox/outbox";
import type { PaymentNotice, RefundNotice } from "./notice";
import type { Payment, Refund } from "./payment";
import type { PaymentEffect, RefundEffect } from "./payment-states";

/** The durable events a payment transition's effects call for (a refunded duplicate emits none). */
export function paymentEvents(
  payment: Payment,
  effects: readonly PaymentEffect[],
  notice: PaymentNotice,
  now: Date,
): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  if (effects.includes("emitSucceeded")) {
    const payload: PaymentSucceededPayload = {
      paymentNo: payment.paymentNo,
      parentOrderNo: payment.parentOrderNo,
      buyerId: payment.buyerId,
      method: payment.method,
      providerPaymentNo: payment.providerPaymentNo,
      amountMinor: payment.amountMinor,
      paidAt: notice.occurredAt,
    };
    events.push(newEvent(PAYMENT_CHANNELS.succeeded, payload, now));
  }
  if (effects.includes("emitFailed")) {
    const payload: PaymentFailedPayload = {
      paymentNo: payment.paymentNo,
      parentOrderNo: payment.parentOrderNo,
      reason: notice.reason ?? "PAYMENT_FAILED",
    };
    events.push(newEvent(PAYMENT_CHANNELS.failed, payload, now));
  }
  return events;
}

/**
 * The durable events of a refund transition. Only refunds the order service asked for are
 * announced; refunds of duplicate payments never touched an order's amounts.
 */
export function refundEvents(
  refund: Refund,
  payment: Payment,
  effects: readonly RefundEffect[],
  notice: RefundNotice,
  now: Date,
): EventEnvelope[] {
  if (refund.cause !== "REQUESTED") return [];
  const base = {
    refundNo: refund.refundNo,
    paymentNo: payment.paymentNo,
    parentOrderNo: payment.parentOrderNo,
    orderNo: refund.orderNo,
    amountMinor: refund.amountMinor,
  };
  const events: EventEnvelope[] = [];
  if (effects.includes("emitRefundSucceeded")) {
    const payload: RefundSucceededPayload = { ...base, reason: refund.reason };
    events.push(newEvent(PAYMENT_CHANNELS.refundSucceeded, payload, now));
  }
  if (effects.includes("emitRefundFailed")) {
    const payload: RefundFailedPayload = {
      ...base,
      reason: notice.reason ?? "REFUND_FAILED",
      refundReason: refund.reason,
    };
    events.push(newEvent(PAYMENT_CHANNELS.refundFailed, payload, now));
  }
  return events;
}

/** How a refund transition moves the payment's committed refunds: a failure frees the amount. */
export function committedDelta(effects: readonly RefundEffect[], amountMinor: number): number {
  if (effects.includes("releaseAmount")) return -amountMinor;
  if (effects.includes("reclaimAmount")) return amountMinor;
  return 0;
}
