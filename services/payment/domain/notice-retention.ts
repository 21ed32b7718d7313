/** How long the provider notification inbox keeps a notification, and how often it is purged. */

/**
 * The shortest retention honoured: providers retry a callback for about a day (and our active query
 * asks for up to a day), and a replay must still find its notification to be recognised as one.
 */
export const MIN_NOTICE_RETENTION_MS = 2 * 24 * 3_600_000;

/** The purge runs hourly: with retentions of days, an hour's extra rows cost nothing. */
export const NOTICE_PURGE_EVERY_MS = 3_600_000;

/** The retention in force: the configured one, never below the minimum. */
export function noticeRetentionMs(configuredMs: number): number {
  return Math.max(MIN_NOTICE_RETENTION_MS, configuredMs);
}

/** Notifications received before this instant are purged. */
export function noticePurgeCutoff(now: Date, retentionMs: number): Date {
  return new Date(now.getTime() - retentionMs);
}
