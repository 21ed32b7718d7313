/** The longest `waitMs` a client may ask of `GET /parent-orders/{no}`. */
export const LONG_POLL_MAX_MS = 10_000;
/** What a long poll leaves of its caller's timeout for the final read and the way back. */
export const LONG_POLL_MARGIN_MS = 1_000;
/** Waiters one pod holds at most; past that a long poll answers at once and the client polls again. */
export const DEFAULT_MAX_WAITERS = 10_000;

/**
 * How long a long poll may hold its request: what the client asked, but short
 * of the caller's call timeout (the gateway's REQUEST_TIMEOUT_MS) by the
 * margin, so the answer beats the timeout; 0 or none means no timeout.
 */
export function longPollWaitMs(requestedMs: number, callerTimeoutMs: number | null | undefined): number {
  const capped = callerTimeoutMs && callerTimeoutMs > 0 ? callerTimeoutMs - LONG_POLL_MARGIN_MS : requestedMs;
  return Math.max(0, Math.min(requestedMs, capped));
}

/** Why a wait ended: its checkout changed, its time ran out, it was cancelled, or the registry was full. */
export type WaitOutcome = "notified" | "timeout" | "cancelled" | "full";

/** One registered wait. */
export interface CheckoutWait {
  /** Resolves once, never rejects. */
  readonly done: Promise<WaitOutcome>;
  /** Ends the wait as "cancelled" (timer cleared, slot freed); nothing once it has ended. */
  cancel(): void;
}

interface Waiter {
  parentOrderNo: string;
  timer: NodeJS.Timeout | null;
  resolve: (outcome: WaitOutcome) => void;
}

/**
 * The long polls of one pod waiting for a checkout to leave PENDING_PAYMENT.
 * In memory only: a missed notify costs a waiter its timeout, never a wrong
 * answer, because the waiter reads the database again when it wakes.
 * Bounded: past `maxWaiters` a new wait ends at once as "full".
 */
export class CheckoutWaiters {
  private readonly byParent = new Map<string, Set<Waiter>>();
  private count = 0;

  constructor(private readonly maxWaiters = DEFAULT_MAX_WAITERS) {}

  /** Waits currently held. */
  get size(): number {
    return this.count;
  }

  /** Waits currently held on one checkout. */
  waitingOn(parentOrderNo: string): number {
    return this.byParent.get(parentOrderNo)?.size ?? 0;
  }

  /** Waits for `notify(parentOrderNo)` at most `timeoutMs`. Register before reading, so no change is missed. */
  register(parentOrderNo: string, timeoutMs: number): CheckoutWait {
    if (timeoutMs <= 0) return ended("timeout");
    if (this.count >= this.maxWaiters) return ended("full");
    let waiter!: Waiter;
    const done = new Promise<WaitOutcome>((resolve) => {
      waiter = { parentOrderNo, timer: null, resolve };
    });
    waiter.timer = setTimeout(() => this.end(waiter, "timeout"), timeoutMs);
    waiter.timer.unref();
    let waiters = this.byParent.get(parentOrderNo);
    if (!waiters) {
      waiters = new Set();
      this.byParent.set(parentOrderNo, waiters);
    }
    waiters.add(waiter);
    this.count += 1;
    return { done, cancel: () => this.end(waiter, "cancelled") };
  }

  /** Wakes every wait on the checkout; returns how many. */
  notify(parentOrderNo: string): number {
    const waiters = this.byParent.get(parentOrderNo);
    if (!waiters) return 0;
    const woken = [...waiters];
    for (const waiter of woken) this.end(waiter, "notified");
    return woken.length;
  }

  /** Ends every wait as "cancelled" (the service is stopping): their requests answer now. */
  cancelAll(): void {
    for (const waiters of [...this.byParent.values()]) {
      for (const waiter of [...waiters]) this.end(waiter, "cancelled");
    }
  }

  private end(waiter: Waiter, outcome: WaitOutcome): void {
    const waiters = this.byParent.get(waiter.parentOrderNo);
    if (!waiters?.delete(waiter)) return;
    if (waiters.size === 0) this.byParent.delete(waiter.parentOrderNo);
    this.count -= 1;
    if (waiter.timer) clearTimeout(waiter.timer);
    waiter.resolve(outcome);
  }
}

function ended(outcome: WaitOutcome): CheckoutWait {
  return { done: Promise.resolve(outcome), cancel: () => {} };
}
