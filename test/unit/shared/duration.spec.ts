import { formatDuration, parseDuration } from "../../../shared/duration";

describe("parseDuration", () => {
  it.each([
    ["1500ms", 1500],
    ["1s", 1000],
    ["30m", 1_800_000],
    ["48h", 172_800_000],
    ["10d", 864_000_000],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDuration(text, "paymentTimeout")).toBe(ms);
  });

  it.each(["", "10", "1.5h", "-1m", "5w", "m", 30, null])("refuses %p naming the field", (value) => {
    expect(() => parseDuration(value, "paymentTimeout")).toThrow(
      expect.objectContaining({
        type: "VALIDATION_FAILED",
        code: 422,
        data: expect.objectContaining({ field: "paymentTimeout" }),
      }),
    );
  });

  it("formats back to the shortest exact unit", () => {
    expect(formatDuration(1_800_000)).toBe("30m");
    expect(formatDuration(86_400_000 * 15)).toBe("15d");
    expect(formatDuration(1500)).toBe("1500ms");
  });
});
