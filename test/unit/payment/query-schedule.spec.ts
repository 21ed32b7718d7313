import {
  nextQueryAt,
  QUERY_BACKOFF_CAP_MS,
  QUERY_GIVE_UP_AFTER_MS,
  querySweepIntervalMs,
} from "../../../services/payment/domain/query-schedule";

const created = new Date("2026-11-26T00:00:00Z");
const at = (ms: number) => new Date(created.getTime() + ms);

describe("active query schedule", () => {
  it("waits the threshold after the first query, then doubles", () => {
    const now = at(60_000);
    expect(nextQueryAt(created, now, 1, 60_000)).toEqual(at(120_000));
    expect(nextQueryAt(created, now, 2, 60_000)).toEqual(at(180_000));
    expect(nextQueryAt(created, now, 3, 60_000)).toEqual(at(300_000));
  });

  it("caps the wait and gives up after a day", () => {
    const now = at(3_600_000);
    expect(nextQueryAt(created, now, 30, 60_000)).toEqual(at(3_600_000 + QUERY_BACKOFF_CAP_MS));
    expect(nextQueryAt(created, at(QUERY_GIVE_UP_AFTER_MS), 5, 60_000)).toBeNull();
  });

  it("sweeps often enough for the threshold, within bounds", () => {
    expect(querySweepIntervalMs(60_000, 30_000)).toBe(30_000);
    expect(querySweepIntervalMs(2_000, 30_000)).toBe(1_000);
    expect(querySweepIntervalMs(100, 30_000)).toBe(250);
  });
});
