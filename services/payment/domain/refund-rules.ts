import { OmsError } from "../../../shared/errors";

/** What a payment can still give back: paid minus every refund not failed (pending ones included). */
export function refundableMinor(paidMinor: number, committedMinor: number): number {
  return Math.max(0, paidMinor - committedMinor);
}

/**
 * Throws REFUND_EXCEEDS_PAID unless `amountMinor` (a positive whole number of fen) fits in what is
 * still refundable. The database re-checks the same sum (CHECK refunded <= paid) under the row lock.
 */
export function assertRefundFits(paidMinor: number, committedMinor: number, amountMinor: number): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new OmsError("VALIDATION_FAILED", "amountMinor must be a positive whole number of fen", {
      field: "amountMinor",
    });
  }
  const refundable = refundableMinor(paidMinor, committedMinor);
  if (amountMinor > refundable) {
    throw new OmsError("REFUND_EXCEEDS_PAID", "The refunds would exceed the amount paid", {
      paidMinor,
      refundedMinor: committedMinor,
      requestedMinor: amountMinor,
      refundableMinor: refundable,
    });
  }
}

/** A refund retried with the same idempotency key must ask for the same thing. */
export function assertSameRefund(
  first: { amountMinor: number; orderNo: string | null },
  retry: { amountMinor: number; orderNo: string | null },
): void {
  if (first.amountMinor !== retry.amountMinor || first.orderNo !== retry.orderNo) {
    throw new OmsError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for another refund", {
      field: "idempotencyKey",
    });
  }
}
