import fc from "fast-check";
import { minorToYuan, yuanToMinor } from "../../../services/payment/domain/yuan";

describe("yuan text", () => {
  it("writes fen as yuan with two decimals", () => {
    expect(minorToYuan(12345)).toBe("123.45");
    expect(minorToYuan(100)).toBe("1.00");
    expect(minorToYuan(7)).toBe("0.07");
    expect(minorToYuan(0)).toBe("0.00");
  });

  it("reads yuan text to exact fen", () => {
    expect(yuanToMinor("123.45")).toBe(12345);
    expect(yuanToMinor("1.5")).toBe(150);
    expect(yuanToMinor("7")).toBe(700);
    expect(yuanToMinor("0.01")).toBe(1);
    expect(yuanToMinor("0.29")).toBe(29); // 0.29 * 100 is 28.999... in floating point
  });

  it("refuses text that is not a plain yuan amount", () => {
    for (const bad of ["1.234", "-1.00", "01.00", "1e3", " 1.00", "1.", ".5", "", "abc", 12.5, null]) {
      expect(yuanToMinor(bad)).toBeUndefined();
    }
  });

  it("round-trips every amount", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 14 }),
        (minor) => yuanToMinor(minorToYuan(minor)) === minor,
      ),
    );
  });
});
