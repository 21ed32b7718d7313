import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { type Queryable, withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { apply } from "../../../shared/state-machine/engine";
import type { NoticeSource, PaymentNotice } from "../domain/notice";
import type { Payment } from "../domain/payment";
import { paymentEvents } from "../domain/payment-events";
import { PAYMENT_GUARDS, PAYMENT_TABLE } from "../domain/payment-states";
import { type NoticeRow, noticeRow } from "../store/notice.repo";
import {
  lockCheckoutOfPayment,
  type PaymentWithPaidBy,
  paymentWithPaidBy,
  readPaymentWithPaidBy,
} from "../store/payment.repo";
import {
  type NoticeWrite,
  saveNoticedTransition,
  saveNoticedTransitions,
  saveNoticeUnchanged,
} from "../store/payment-transition.repo";
import { closeAtProviders } from "./close-at-provider";
import type { DocumentOutcome } from "./handle-document";
import type { PaymentDeps } from "./payment-deps";
import { createDuplicateRefund, submitRefund } from "./submit-refund";

/** The attempt a notice is about, with the amount checked: 404 PAYMENT_NOT_FOUND, 422 AMOUNT_MISMATCH. */
function checked(method: PaymentMethod, notice: PaymentNotice, read: PaymentWithPaidBy | null) {
  const payment = read?.payment;
  if (
    !read ||
    !payment ||
    payment.method !== method ||
    payment.providerPaymentNo !== notice.providerPaymentNo
  ) {
    throw new OmsError("PAYMENT_NOT_FOUND", "No such payment", { paymentNo: notice.paymentNo });
  }
  if (notice.amountMinor !== payment.amountMinor) {
    throw new OmsError("AMOUNT_MISMATCH", "The notified amount is not the payment's amount", {
      paymentNo: payment.paymentNo,
      field: "amount",
    });
  }
  return read;
}

/** What one notice does to the attempt as read: the payment table's answer, ready to write. */
interface NoticeDecision {
  payment: Payment;
  status: string;
  refundsDuplicate: boolean;
  events: number;
  /** Writes the notice (and the transition, if any) while the checkout is still as read. */
  write(q: Queryable): Promise<NoticeWrite>;
  /** The same on the pool, sharing a statement with the notices of other checkouts written meanwhile. */
  writeOnPool(pool: Queryable): Promise<NoticeWrite>;
}

/** Checks the attempt read for the notice (nothing is written for an unknown one or a wrong amount), runs the payment table. */
function decide(
  deps: PaymentDeps,
  method: PaymentMethod,
  notice: PaymentNotice,
  read: PaymentWithPaidBy | null,
  inboxOf: (outcome: string) => NoticeRow,
  now: Date,
): NoticeDecision {
  const { payment, paidBy, version } = checked(method, notice, read);
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
  const inbox = inboxOf(changes ? `${t.from} -> ${t.to}` : `${t.to}, unchanged`);
  const base = { payment, status: t.to, refundsDuplicate: t.effects.includes("refundDuplicate") };
  if (!changes) {
    return {
      ...base,
      events: 0,
      write: (q) => saveNoticeUnchanged(q, inbox, payment.parentOrderNo, version),
      writeOnPool: (pool) => saveNoticeUnchanged(pool, inbox, payment.parentOrderNo, version),
    };
  }
  const events = paymentEvents(payment, t.effects, notice, now);
  const transition = {
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
  };
  return {
    ...base,
    events: events.length,
    write: async (q) =>
      (await saveNoticedTransitions(q, [{ transition, notice: inbox, version }]))[0] as NoticeWrite,
    writeOnPool: (pool) => saveNoticedTransition(pool, { transition, notice: inbox, version }),
  };
}

/** What applying a notice did, for the answer and the work after commit. */
interface Applied {
  duplicate: boolean;
  status: string;
  events: number;
  refundNo: string | null;
  closed: NoticeWrite["closed"];
}

const applied = (d: NoticeDecision, w: NoticeWrite, refundNo: string | null = null): Applied =>
  w.stored
    ? { duplicate: false, status: d.status, events: d.events, refundNo, closed: w.closed }
    : { duplicate: true, status: d.payment.status, events: 0, refundNo: null, closed: [] };

/**
 * Decides and writes under the checkout's lock, in a transaction: when the checkout changed between
 * the read and the write, and for a duplicate payment, whose refund commits with its transition.
 */
function applyUnderLock(
  deps: PaymentDeps,
  method: PaymentMethod,
  notice: PaymentNotice,
  inboxOf: (outcome: string) => NoticeRow,
  now: Date,
): Promise<Applied> {
  return withTransaction(deps.pool, async (tx) => {
    await lockCheckoutOfPayment(tx, notice.paymentNo);
    const locked = await paymentWithPaidBy(tx, notice.paymentNo, true);
    const d = decide(deps, method, notice, locked, inboxOf, now);
    const w = await d.write(tx);
    if (!w.current) throw new Error(`checkout of ${notice.paymentNo} changed under its lock`);
    const refundNo =
      w.stored && d.refundsDuplicate ? await createDuplicateRefund(deps, tx, d.payment, now) : null;
    return applied(d, w, refundNo);
  });
}

/**
 * Applies a provider's payment result once. Read the attempt with the attempt that paid its checkout
 * and the checkout's version (checked: nothing is stored for an unknown payment or a wrong amount),
 * run the payment table, then store the notice in the inbox and - only when it is new - the new
 * state with its events, in one statement that writes only while the checkout is still at that
 * version (a duplicate stops there, changing nothing): two statements, no transaction. When the
 * checkout changed meanwhile, it is all done again under the checkout's lock. Money on an attempt
 * after another paid the checkout is refunded automatically; the open attempts a payment closes are
 * closed at their providers after commit.
 */
export async function applyPaymentNotice(
  deps: PaymentDeps,
  method: PaymentMethod,
  notice: PaymentNotice,
  source: NoticeSource,
  rawBody: string,
): Promise<DocumentOutcome> {
  const now = new Date();
  const inboxOf = (outcome: string) => noticeRow(method, notice, source, rawBody, outcome);
  const read = await readPaymentWithPaidBy(deps.pool, notice.paymentNo);
  const d = decide(deps, method, notice, read, inboxOf, now);
  const w = d.refundsDuplicate ? null : await d.writeOnPool(deps.pool);
  const done = w?.current ? applied(d, w) : await applyUnderLock(deps, method, notice, inboxOf, now);
  if (done.events > 0) deps.committed();
  if (done.refundNo) await submitRefund(deps, done.refundNo);
  await closeAtProviders(deps, done.closed);
  return { kind: "PAYMENT", subjectNo: notice.paymentNo, duplicate: done.duplicate, status: done.status };
}
