import { afterFailure, retryDelayMs, retrySchedule } from "../../../services/notification/domain/retry";

const POLICY = { maxAttempts: 5, baseMs: 1_000 };
const NOW = new Date("2026-11-26T00:00:00.000Z");

describe("delivery retry backoff", () => {
  it("doubles the wait from the base after each failed attempt", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, POLICY))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it("waits base, 2x, 4x, 8x between five attempts, then gives up", () => {
    expect(retrySchedule(POLICY)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retrySchedule({ maxAttempts: 1, baseMs: 1_000 })).toEqual([]);
  });

  it("caps the wait", () => {
    expect(retryDelayMs(30, POLICY)).toBe(3_600_000);
    expect(retryDelayMs(4, { ...POLICY, capMs: 5_000 })).toBe(5_000);
  });

  it("schedules the next attempt after a failure below the limit", () => {
    expect(afterFailure(1, POLICY, NOW)).toEqual({
      status: "FAILED",
      nextAttemptAt: new Date("2026-11-26T00:00:01.000Z"),
    });
    expect(afterFailure(4, POLICY, NOW)).toEqual({
      status: "FAILED",
      nextAttemptAt: new Date("2026-11-26T00:00:08.000Z"),
    });
  });

  it("dead-letters the delivery when the last attempt fails", () => {
    expect(afterFailure(5, POLICY, NOW)).toEqual({ status: "DEAD" });
    expect(afterFailure(6, POLICY, NOW)).toEqual({ status: "DEAD" });
  });
});
