import { addDays, parsePeriod, shanghaiDay } from "../../../services/order/stats/stats-period";

// 2026-11-26 10:00 in Shanghai.
const now = new Date("2026-11-26T02:00:00Z");

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as { type: string; code: number; data: { field: string } };
  }
  throw new Error("expected a failure");
};

describe("statistics period", () => {
  it("counts Shanghai calendar days: 23:59 UTC is already the next day there", () => {
    expect(shanghaiDay(new Date("2026-11-25T15:59:59Z"))).toBe("2026-11-25");
    expect(shanghaiDay(new Date("2026-11-25T16:00:00Z"))).toBe("2026-11-26");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
  });

  it("defaults to the last 30 days including today", () => {
    expect(parsePeriod({}, now)).toEqual({ from: "2026-10-28", to: "2026-11-27", days: 30 });
  });

  it("takes dates as whole days, to exclusive", () => {
    expect(parsePeriod({ from: "2026-11-01", to: "2026-11-08" }, now)).toEqual({
      from: "2026-11-01",
      to: "2026-11-08",
      days: 7,
    });
  });

  it("widens instants to the Shanghai days they fall in", () => {
    expect(parsePeriod({ from: "2026-11-01T10:00:00+08:00", to: "2026-11-03T00:00:01+08:00" }, now)).toEqual({
      from: "2026-11-01",
      to: "2026-11-04",
      days: 3,
    });
    // A day start given as an instant in UTC stays exclusive.
    expect(parsePeriod({ from: "2026-10-31T16:00:00Z", to: "2026-11-02T16:00:00Z" }, now)).toEqual({
      from: "2026-11-01",
      to: "2026-11-03",
      days: 2,
    });
  });

  it("allows exactly one calendar year, also across 29 February", () => {
    expect(parsePeriod({ from: "2025-11-26", to: "2026-11-26" }, now).days).toBe(365);
    expect(parsePeriod({ from: "2027-11-26", to: "2028-11-26" }, now).days).toBe(366);
  });

  it("refuses a period longer than a year, naming to", () => {
    const err = failure(() => parsePeriod({ from: "2025-11-26", to: "2026-11-27" }, now));
    expect(err).toMatchObject({ type: "VALIDATION_FAILED", code: 422, data: { field: "to" } });
  });

  it("refuses from after to, or equal, naming from", () => {
    for (const p of [
      { from: "2026-11-10", to: "2026-11-01" },
      { from: "2026-11-10", to: "2026-11-10" },
      { from: "2026-11-01T12:00:00Z", to: "2026-11-01T11:00:00Z" },
      { from: "2026-12-01" },
    ]) {
      expect(failure(() => parsePeriod(p, now))).toMatchObject({ code: 422, data: { field: "from" } });
    }
  });

  it.each([
    ["from", { from: "2026-02-30" }],
    ["from", { from: "yesterday" }],
    ["to", { to: "2026-11-01T10:00:00" }], // an instant needs its offset
    ["to", { to: "2026-13-01" }],
  ])("refuses a malformed %s", (field, p) => {
    expect(failure(() => parsePeriod(p, now))).toMatchObject({ type: "VALIDATION_FAILED", data: { field } });
  });
});
