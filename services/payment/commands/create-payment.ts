import type { Caller } from "../../../shared/contracts/caller";
import type { PaymentMethod, PreparePaymentResult } from "../../../shared/contracts/payment.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import { apply } from "../../../shared/state-machine/engine";
import { openedAttempt, type Payment } from "../domain/payment";
import { numberRequest } from "../domain/payment-numbers";
import { PAYMENT_GUARDS, PAYMENT_TABLE } from "../domain/payment-states";
import { presentCreated } from "../domain/payment-view";
import {
  type AttemptDecision,
  decideAttempt,
  insertFirstAttempt,
  lockCheckout,
  lockExistingCheckout,
  readCheckoutAttempts,
} from "../store/payment.repo";
import { closeAtProviders } from "./close-at-provider";
import type { PaymentDeps } from "./payment-deps";

const reusable = (p: Payment | undefined, method: PaymentMethod, amountMinor: number) =>
  p !== undefined && p.status === "PENDING" && p.method === method && p.amountMinor === amountMinor;

/** What the order service said about the checkout, checked against the caller. */
function checkedPreparation(caller: Caller, parentOrderNo: string, prepared: PreparePaymentResult): number {
  if (prepared.parentOrderNo !== parentOrderNo || prepared.buyerId !== caller.userId) {
    throw new OmsError("NOT_FOUND", "Order not found", { parentOrderNo });
  }
  if (!Number.isSafeInteger(prepared.payableMinor) || prepared.payableMinor <= 0) {
    throw new OmsError("INVALID_TRANSITION", "Nothing to pay for this checkout", {
      state: "NOTHING_TO_PAY",
      event: "pay",
    });
  }
  return prepared.payableMinor;
}

/** A paid checkout gets no new attempt: 409, even before the order service has heard of the payment. */
function refusePaid(): never {
  throw new OmsError("INVALID_TRANSITION", "The checkout is already paid", { state: "PAID", event: "pay" });
}

/** Decides a new attempt under the checkout's lock (creating its row if need be), in a transaction. */
function decideUnderLock(deps: PaymentDeps, payment: Payment, nextQueryAt: Date, closeRetryAt: Date) {
  const { parentOrderNo, buyerId } = payment;
  return withTransaction(deps.pool, async (tx) => {
    const version =
      (await lockExistingCheckout(tx, parentOrderNo)) ?? (await lockCheckout(tx, parentOrderNo, buyerId));
    return (await decideAttempt(tx, payment, nextQueryAt, closeRetryAt, version)) as AttemptDecision;
  });
}

/**
 * Starts paying a checkout with `method`. The order service first confirms ownership, that it is
 * still payable, and the stock (`prepare`). The open attempt is returned when method and amount are
 * unchanged; otherwise it (or a failed one) is CLOSED and a new one opened at the provider - decided
 * in one statement while the checkout is still as read (else again under its lock), so a checkout
 * never has two open attempts and a paid one gets none. After commit every attempt that decision
 * closed is closed at its provider too (retried by the query sweep if that fails): the replaced one,
 * and the new one itself if a concurrent twin or a payment won meanwhile. A checkout's first attempt
 * is written in one statement with its checkout row (no lock needed).
 */
export async function createPayment(
  deps: PaymentDeps,
  caller: Caller,
  body: { parentOrderNo: string; method: PaymentMethod },
  prepare: () => Promise<PreparePaymentResult>,
) {
  if (caller.role !== "buyer") throw new OmsError("FORBIDDEN", "Only the buyer pays", { role: caller.role });
  const { parentOrderNo, method } = body;
  const amountMinor = checkedPreparation(caller, parentOrderNo, await prepare());
  const { version, attempts: known } = await readCheckoutAttempts(deps.pool, parentOrderNo);
  if (known.some((p) => p.status === "SUCCEEDED" && !p.duplicate)) refusePaid();
  const open = known.find((p) => p.status === "PENDING");
  if (reusable(open, method, amountMinor)) return presentCreated(open as Payment);

  const provider = deps.providers.get(method);
  const paymentNo = await deps.nextNumber(numberRequest(parentOrderNo, caller.userId, "PAYMENT"));
  const opened = await provider.createPayment({
    paymentNo,
    amountMinor,
    currency: "CNY",
    description: `Order ${parentOrderNo}`,
  });
  const now = new Date();
  const payment = openedAttempt(
    {
      paymentNo,
      parentOrderNo,
      buyerId: caller.userId,
      method,
      providerPaymentNo: opened.providerPaymentNo,
      payUrl: opened.payUrl,
      amountMinor,
    },
    now,
  );
  const nextQueryAt = new Date(now.getTime() + deps.queryAfterMs);
  // The checkout's first attempt: one statement that also creates the checkout row (see insertFirstAttempt).
  if (version === null && (await insertFirstAttempt(deps.pool, { payment, nextQueryAt }))) {
    return presentCreated(payment);
  }
  // Any attempt may be replaced by this one: the table allows closing an open or failed attempt.
  apply(PAYMENT_TABLE, "PENDING", "attempt.replaced", {
    now,
    actor: caller.userId,
    role: "buyer",
    facts: { paidByAnotherAttempt: false },
    guards: PAYMENT_GUARDS,
  });
  // The replaced attempt's provider close is retried from then on if the one after commit fails.
  const closeRetryAt = nextQueryAt;
  // One statement while the checkout is as read; else (it changed, or had no row) under its lock.
  const quick =
    version === null ? null : await decideAttempt(deps.pool, payment, nextQueryAt, closeRetryAt, version);
  const { paid, reused, replaced } =
    quick ?? (await decideUnderLock(deps, payment, nextQueryAt, closeRetryAt));
  await closeAtProviders(deps, replaced);
  if (paid) refusePaid();
  return presentCreated(reused ?? payment); // the open attempt when a concurrent twin won
}
