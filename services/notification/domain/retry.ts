/** How a failed delivery is retried: `baseMs` doubling per attempt, dead after `maxAttempts`. */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  /** The longest wait between two attempts. */
  capMs?: number;
}

const DEFAULT_CAP_MS = 3_600_000;

/** The wait after failed attempt n (1-based): base, 2 x base, 4 x base ... capped. */
export function retryDelayMs(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.capMs ?? DEFAULT_CAP_MS, policy.baseMs * 2 ** exponent);
}

/** What follows a failed attempt: another try at `nextAttemptAt`, or the dead-letter list. */
export type FailureOutcome = { status: "FAILED"; nextAttemptAt: Date } | { status: "DEAD" };

/** After `attempts` tries in total (the failed one included). */
export function afterFailure(attempts: number, policy: RetryPolicy, now: Date): FailureOutcome {
  if (attempts >= policy.maxAttempts) return { status: "DEAD" };
  return { status: "FAILED", nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, policy)) };
}

/** The whole schedule of waits a delivery goes through before it is dead (for docs and tests). */
export function retrySchedule(policy: RetryPolicy): number[] {
  return Array.from({ length: Math.max(0, policy.maxAttempts - 1) }, (_, i) => retryDelayMs(i + 1, policy));
}
