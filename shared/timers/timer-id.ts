/**
 * BullMQ 6 rejects custom job ids containing ':' (it keeps `repeat:<scheduler>:<millis>` for its own
 * scheduler jobs), so a timer id joins kind and key with '.' instead: `payment-timeout.<orderNo>`.
 */
export const TIMER_ID_SEPARATOR = ".";

// Kinds are kebab-case and never contain the separator, so an id splits back at its first '.'.
const KIND_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Throws unless `kind` is a kebab-case timer kind or sweeper name. */
export function assertTimerKind(kind: string): void {
  if (!KIND_PATTERN.test(kind)) throw new Error(`Timer kind "${kind}" must be kebab-case ([a-z][a-z0-9-]*)`);
}

/** The deterministic BullMQ job id of a timer: `timerJobId("payment-timeout", "O123")` -> `payment-timeout.O123`. */
export function timerJobId(kind: string, key: string): string {
  assertTimerKind(kind);
  if (key === "" || key.includes(":"))
    throw new Error(`Timer key "${key}" must be non-empty and contain no ':'`);
  return `${kind}${TIMER_ID_SEPARATOR}${key}`;
}

/** The id of the BullMQ job scheduler (and the job name) behind `Timers.every(name, ...)`. */
export function sweeperJobName(name: string): string {
  assertTimerKind(name);
  return `sweep${TIMER_ID_SEPARATOR}${name}`;
}

/** Milliseconds from now until `fireAt` (a Date, or already a delay in ms), never negative. */
export function delayUntil(fireAt: Date | number, now = Date.now()): number {
  const delay = typeof fireAt === "number" ? fireAt : fireAt.getTime() - now;
  return Math.max(0, Math.round(delay));
}
