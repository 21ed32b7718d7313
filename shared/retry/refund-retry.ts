/**
 * When a refund the provider refused (the payer's account frozen or closed, say) is asked again as a new
 * refund: 1 minute, 10 minutes, 1 hour and 6 hours after the 1st to 4th refusal; after the 5th, only an
 * operator (and the reconciliation lists it until then).
 */
export const REFUND_RETRY_DELAYS_MS = [60_000, 10 * 60_000, 3_600_000, 6 * 3_600_000] as const;

/** When to ask again after the `refusals`-th refusal at `refusedAt`; null once the retries are used up. */
export function refundRetryAt(refusals: number, refusedAt: Date): Date | null {
  const delay = REFUND_RETRY_DELAYS_MS[refusals - 1];
  return delay === undefined ? null : new Date(refusedAt.getTime() + delay);
}
