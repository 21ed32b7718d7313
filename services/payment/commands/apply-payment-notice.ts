import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { apply } from "../../../shared/state-machine/engine";
import type { NoticeSource, PaymentNotice } from "../domain/notice";
import type { Payment } from "../domain/payment";
import { paymentEvents } from "../domain/payment-events";
import { PAYMENT_GUARDS, PAYMENT_TABLE } from "../domain/payment-states";
import { noticeInsert, storeNotice } from "../store/notice.repo";
import { lockCheckoutOfPayment, lockPaymentWithPaidBy, saveNoticedTransition } from "../store/payment.repo";
import { closeAtProviders } from "./close-at-provider";
import type { DocumentOutcome } from "./handle-document";
import type { PaymentDeps } from "./payment-deps";
import { createDuplicateRefund, submitRefund } from "./refund-payment";

/** The attempt a notice is about, with the amount checked: 404 PAYMENT_NOT_FOUND, 422 AMOUNT_MISMATCH. */
function checkedPayment(method: PaymentMethod, notice: PaymentNotice, payment: Payment | undefined): Payment {
  if (!payment || payment.method !== method || payment.providerPaymentNo !== notice.providerPaymentNo) {
    throw new OmsError("PAYMENT_NOT_FOUND", "No such payment", { paymentNo: notice.paymentNo });
  }
  if (notice.amountMinor !== payment.amountMinor) {
    throw new OmsError("AMOUNT_MISMATCH", "The notified amount is not the payment's amount", {
      paymentNo: payment.paymentNo,
      field: "amount",
    });
  }
  return payment;
}

/**
 * Applies a provider's payment result once. Under the checkout's lock: read the attempt (checked:
 * nothing is stored for an unknown payment or a wrong amount) with the attempt that paid the
 * checkout, run the payment table, then store the notice in the inbox and - only when it is new -
 * the new state with its events, in one statement (a duplicate stops there, changing nothing).
 * Money on an attempt after another paid the checkout is refunded automatically; the open attempts
 * a payment closes are closed at their providers after commit.
 */
export async function applyPaymentNotice(
  deps: PaymentDeps,
  method: PaymentMethod,
  notice: PaymentNotice,
  source: NoticeSource,
  rawBody: string,
): Promise<DocumentOutcome> {
  const now = new Date();
  const done = await withTransaction(deps.pool, async (tx) => {
    await lockCheckoutOfPayment(tx, notice.paymentNo);
    const locked = await lockPaymentWithPaidBy(tx, notice.paymentNo);
    const payment = checkedPayment(method, notice, locked?.payment);
    const paidBy = locked?.paidBy ?? null;
    const t = apply(
      PAYMENT_TABLE,
      payment.status,
      notice.result === "SUCCESS" ? "provider.succeeded" : "provider.failed",
      {
        now,
        actor: method,
        role: "system",
        eventId: notice.notificationId,
        facts: { paidByAnotherAttempt: paidBy !== null && paidBy !== payment.paymentNo },
        guards: PAYMENT_GUARDS,
      },
    );
    const changes = t.effects.length > 0 || t.from !== t.to;
    const outcome = changes ? `${t.from} -> ${t.to}` : `${t.to}, unchanged`;
    const duplicate = { duplicate: true, status: payment.status, events: 0, refundNo: null, closed: [] };
    if (!changes) {
      const stored = await storeNotice(tx, method, notice, source, rawBody, outcome);
      return stored ? { duplicate: false, status: t.to, events: 0, refundNo: null, closed: [] } : duplicate;
    }
    const events = paymentEvents(payment, t.effects, notice, now);
    // Parameters $1..$11 are the transition's; the inbox row's follow from $12.
    const inbox = noticeInsert(12, method, notice, source, rawBody, outcome);
    const { stored, closed } = await saveNoticedTransition(tx, inbox, {
      paymentNo: payment.paymentNo,
      parentOrderNo: payment.parentOrderNo,
      to: t.to,
      recordPaid: t.effects.includes("recordPaid"),
      duplicate: t.effects.includes("markDuplicate"),
      closeOtherAttempts: t.effects.includes("closeOtherAttempts"),
      failureReason: notice.result === "FAIL" ? (notice.reason ?? "PAYMENT_FAILED") : null,
      paidAt: new Date(notice.occurredAt),
      now,
      closeRetryAt: new Date(now.getTime() + deps.queryAfterMs),
      events,
    });
    if (!stored) return duplicate;
    const refundNo = t.effects.includes("refundDuplicate")
      ? await createDuplicateRefund(deps, tx, payment, now)
      : null;
    return { duplicate: false, status: t.to, events: events.length, refundNo, closed };
  });
  if (done.events > 0) deps.committed();
  if (done.refundNo) await submitRefund(deps, done.refundNo);
  await closeAtProviders(deps, done.closed);
  return { kind: "PAYMENT", subjectNo: notice.paymentNo, duplicate: done.duplicate, status: done.status };
}
