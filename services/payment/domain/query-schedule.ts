/** When to ask a provider again about an attempt or refund whose result we have not heard. */

/** The longest wait between two queries of the same payment. */
export const QUERY_BACKOFF_CAP_MS = 3_600_000;
/** After this long since creation we stop asking (providers close unpaid orders well before). */
export const QUERY_GIVE_UP_AFTER_MS = 24 * 3_600_000;

/**
 * The next query time after query number `attempts` (1 = the first was just made): the first comes
 * `afterMs` after creation, then the waits double up to the cap; null once the give-up age is past.
 */
export function nextQueryAt(createdAt: Date, now: Date, attempts: number, afterMs: number): Date | null {
  if (now.getTime() - createdAt.getTime() >= QUERY_GIVE_UP_AFTER_MS) return null;
  const wait = Math.min(QUERY_BACKOFF_CAP_MS, Math.max(1, afterMs) * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + wait);
}

/** How often the query sweep runs: often enough to honour `afterMs`, never more often than 4 times a second. */
export function querySweepIntervalMs(afterMs: number, sweepIntervalMs: number): number {
  return Math.max(250, Math.min(sweepIntervalMs, Math.ceil(afterMs / 2)));
}
