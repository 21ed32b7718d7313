import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { apply } from "../../../shared/state-machine/engine";
import type { NoticeSource, RefundNotice } from "../domain/notice";
import type { Payment, Refund } from "../domain/payment";
import { committedDelta, refundEvents } from "../domain/payment-events";
import { REFUND_TABLE } from "../domain/payment-states";
import { storeNotice } from "../store/notice.repo";
import { findPayment } from "../store/payment.repo";
import { findRefund, saveRefundTransition } from "../store/refund.repo";
import type { DocumentOutcome } from "./handle-document";
import type { PaymentDeps } from "./payment-deps";

/** The refund a notice is about, on the payment it names, with the amount checked. */
async function refundOf(deps: PaymentDeps, method: PaymentMethod, notice: RefundNotice) {
  const refund = await findRefund(deps.pool, notice.refundNo);
  const payment = refund && (await findPayment(deps.pool, refund.paymentNo));
  if (
    !refund ||
    !payment ||
    payment.method !== method ||
    payment.paymentNo !== notice.paymentNo ||
    payment.providerPaymentNo !== notice.providerPaymentNo
  ) {
    throw new OmsError("PAYMENT_NOT_FOUND", "No such refund", { refundNo: notice.refundNo });
  }
  if (notice.amountMinor !== refund.amountMinor) {
    throw new OmsError("AMOUNT_MISMATCH", "The notified amount is not the refund's amount", {
      refundNo: refund.refundNo,
      field: "amount",
    });
  }
  return refund;
}

/**
 * Applies a provider's refund result once: inbox first, then the refund table; the refund's state,
 * the payment's refundable balance and the `refund.succeeded` / `refund.failed` event commit together.
 */
export async function applyRefundNotice(
  deps: PaymentDeps,
  method: PaymentMethod,
  notice: RefundNotice,
  source: NoticeSource,
  rawBody: string,
): Promise<DocumentOutcome> {
  const found = await refundOf(deps, method, notice);
  const now = new Date();
  const done = await withTransaction(deps.pool, async (tx) => {
    // Payment before refund: the same lock order as a new refund, so the two never deadlock.
    const payment = (await findPayment(tx, found.paymentNo, true)) as Payment;
    const refund = (await findRefund(tx, found.refundNo, true)) as Refund;
    const t = apply(
      REFUND_TABLE,
      refund.status,
      notice.result === "SUCCESS" ? "provider.succeeded" : "provider.failed",
      {
        now,
        actor: method,
        role: "system",
        eventId: notice.notificationId,
      },
    );
    const changes = t.effects.length > 0 || t.from !== t.to;
    const outcome = changes ? `${t.from} -> ${t.to}` : `${t.to}, unchanged`;
    if (!(await storeNotice(tx, method, notice, source, rawBody, outcome))) {
      return { duplicate: true, status: refund.status, events: 0 };
    }
    if (!changes) return { duplicate: false, status: t.to, events: 0 };
    const events = refundEvents(refund, payment, t.effects, notice, now);
    await saveRefundTransition(tx, {
      refundNo: refund.refundNo,
      paymentNo: payment.paymentNo,
      to: t.to,
      committedDelta: committedDelta(t.effects, refund.amountMinor),
      providerRefundNo: notice.providerRefundNo,
      failureReason: notice.result === "FAIL" ? (notice.reason ?? "REFUND_FAILED") : null,
      now,
      events,
    });
    return { duplicate: false, status: t.to, events: events.length };
  });
  if (done.events > 0) deps.committed();
  if (!done.duplicate && done.status === "FAILED") {
    deps.logger.warn("refund failed at the provider", { refundNo: found.refundNo, cause: found.cause });
  }
  return { kind: "REFUND", subjectNo: found.refundNo, duplicate: done.duplicate, status: done.status };
}
