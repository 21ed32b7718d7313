/** How long the notification service keeps what it sent and learned, and how often it purges. */

const DAY_MS = 86_400_000;

/**
 * The shortest retention honoured. A delivery row is the at-most-once record of its event (a
 * stream may redeliver for 7 days); the in-app inbox should show at least a month; an order's
 * facts stay while it is in flight, and are only purged once it completed or closed.
 */
export const MIN_NOTIFICATION_RETENTION_MS = 30 * DAY_MS;

/** The purge runs hourly: with retentions of months, an hour's extra rows cost nothing. */
export const NOTIFICATION_PURGE_EVERY_MS = 3_600_000;

/** The retention in force: the configured one, never below the minimum. */
export function notificationRetentionMs(configuredMs: number): number {
  return Math.max(MIN_NOTIFICATION_RETENTION_MS, configuredMs);
}
