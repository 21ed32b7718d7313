import {
  MIN_NOTICE_RETENTION_MS,
  NOTICE_PURGE_EVERY_MS,
  noticePurgeCutoff,
  noticeRetentionMs,
} from "../../../services/payment/domain/notice-retention";
import { QUERY_GIVE_UP_AFTER_MS } from "../../../services/payment/domain/query-schedule";
import { parseDuration } from "../../../shared/duration";

const DAY = 86_400_000;

describe("provider notification retention", () => {
  it("keeps the configured retention when it is long enough", () => {
    expect(noticeRetentionMs(parseDuration("30d", "PAYMENT_NOTICE_RETENTION"))).toBe(30 * DAY);
    expect(noticeRetentionMs(MIN_NOTICE_RETENTION_MS)).toBe(MIN_NOTICE_RETENTION_MS);
  });

  it("never keeps notifications for less than the window in which providers and our queries repeat them", () => {
    expect(MIN_NOTICE_RETENTION_MS).toBeGreaterThan(QUERY_GIVE_UP_AFTER_MS);
    expect(MIN_NOTICE_RETENTION_MS).toBeGreaterThan(DAY + NOTICE_PURGE_EVERY_MS);
    expect(noticeRetentionMs(parseDuration("1h", "PAYMENT_NOTICE_RETENTION"))).toBe(MIN_NOTICE_RETENTION_MS);
    expect(noticeRetentionMs(0)).toBe(MIN_NOTICE_RETENTION_MS);
  });

  it("purges what was received before now minus the retention", () => {
    const now = new Date("2026-03-31T12:00:00Z");
    expect(noticePurgeCutoff(now, 30 * DAY)).toEqual(new Date("2026-03-01T12:00:00Z"));
  });
});
