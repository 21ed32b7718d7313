import fc from "fast-check";
import { allocate, assertMinor, percentOf, sumMinor } from "../../../shared/money";

const RUNS = { numRuns: 5000 };

/** Throws unless `fn` throws VALIDATION_FAILED (422) naming `field`. */
function expectValidationFailed(fn: () => unknown, field: string): void {
  expect(fn).toThrow(
    expect.objectContaining({
      type: "VALIDATION_FAILED",
      code: 422,
      data: expect.objectContaining({ field }),
    }),
  );
}

// Unbiased large values too: float rounding of amount x weight only shows far past 2^53.
const large = fc.noBias(fc.integer({ min: 0, max: 1e12 }));
const total = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1e12 }), large);
const weight = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 100 }),
  fc.integer({ min: 0, max: 1e12 }),
  large,
);
const weights = fc.array(weight, { minLength: 1, maxLength: 20 }).filter((ws) => ws.some((w) => w > 0));

/** The exact share total*w/W as floor and remainder, computed independently with BigInt. */
function exactShares(amount: number, ws: readonly number[]) {
  const sum = ws.reduce((acc, w) => acc + BigInt(w), 0n);
  return ws.map((w) => ({
    floor: (BigInt(amount) * BigInt(w)) / sum,
    rem: (BigInt(amount) * BigInt(w)) % sum,
  }));
}

describe("assertMinor", () => {
  it("accepts non-negative safe integers", () => {
    for (const value of [0, 1, 1999, Number.MAX_SAFE_INTEGER])
      expect(() => assertMinor(value, "amount")).not.toThrow();
  });

  it("rejects fractions, NaN, infinities, unsafe integers and non-numbers naming the field", () => {
    for (const value of [1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "100", null, 10n]) {
      expectValidationFailed(() => assertMinor(value, "payableMinor"), "payableMinor");
    }
  });

  it("rejects negatives unless they are allowed", () => {
    expectValidationFailed(() => assertMinor(-1, "refundMinor"), "refundMinor");
    expect(() => assertMinor(-1, "deltaMinor", { allowNegative: true })).not.toThrow();
    expectValidationFailed(() => assertMinor(-0.5, "deltaMinor", { allowNegative: true }), "deltaMinor");
  });
});

describe("sumMinor", () => {
  it("adds signed amounts exactly", () => {
    expect(sumMinor([])).toBe(0);
    expect(sumMinor([1999, -300, 1])).toBe(1700);
  });

  it("names the offending element and refuses a total past the safe range", () => {
    expectValidationFailed(() => sumMinor([1, 0.1], "lines"), "lines[1]");
    expectValidationFailed(() => sumMinor([Number.MAX_SAFE_INTEGER, 1], "lines"), "lines");
  });
});

describe("percentOf", () => {
  it("rounds as told", () => {
    expect(percentOf(1999, 98, "FLOOR")).toBe(1959);
    expect(percentOf(1999, 98, "CEIL")).toBe(1960);
    expect(percentOf(1999, 98, "HALF_UP")).toBe(1959);
    expect(percentOf(3, 50, "HALF_UP")).toBe(2);
    expect(percentOf(5, 50, "HALF_UP")).toBe(3);
    expect(percentOf(5, 50, "HALF_EVEN")).toBe(2);
    expect(percentOf(7, 50, "HALF_EVEN")).toBe(4);
    expect(percentOf(1e12, 98, "FLOOR")).toBe(980_000_000_000);
  });

  it("refuses fractional or negative percents and negative amounts", () => {
    expectValidationFailed(() => percentOf(100, 9.8, "FLOOR"), "percent");
    expectValidationFailed(() => percentOf(100, -1, "FLOOR"), "percent");
    expectValidationFailed(() => percentOf(-100, 10, "FLOOR"), "amount");
  });

  it("stays within a fen of the exact value and within half a fen when rounding to nearest", () => {
    const percent = fc.integer({ min: 0, max: 1000 });
    fc.assert(
      fc.property(total, percent, (amount, pct) => {
        const exact100 = BigInt(amount) * BigInt(pct); // the exact value times 100
        const floor = BigInt(percentOf(amount, pct, "FLOOR"));
        const ceil = BigInt(percentOf(amount, pct, "CEIL"));
        expect(floor * 100n <= exact100 && exact100 < (floor + 1n) * 100n).toBe(true);
        expect(ceil - floor).toBe(exact100 % 100n === 0n ? 0n : 1n);
        for (const mode of ["HALF_UP", "HALF_EVEN"] as const) {
          const distance = BigInt(percentOf(amount, pct, mode)) * 100n - exact100;
          expect(distance * 2n <= 100n && distance * 2n >= -100n).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe("allocate", () => {
  it("splits by the largest remainder, lower index first on ties", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(allocate(5, [3, 3, 1])).toEqual([2, 2, 1]);
    expect(allocate(10, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(allocate(100, [0, 1, 1])).toEqual([0, 50, 50]);
    expect(allocate(3000, [29900, 9900, 100])).toEqual([2248, 744, 8]);
  });

  it("keeps precision far past 2^53 for amount x weight", () => {
    expect(allocate(1e12, [1e12, 1e12, 1e12])).toEqual([333_333_333_334, 333_333_333_333, 333_333_333_333]);
    expect(allocate(999_999_999_999, [999_999_999_999, 1])).toEqual([999_999_999_998, 1]);
    // Float products pick the wrong remainder here and hand the leftover fen to the first part.
    expect(allocate(475_794_998_752, [184_081_602_535, 354_527_240_648])).toEqual([
      162_613_568_190, 313_181_430_562,
    ]);
  });

  it("allows a zero total over zero weights but refuses a positive one", () => {
    expect(allocate(0, [0, 0])).toEqual([0, 0]);
    expect(allocate(0, [])).toEqual([]);
    expectValidationFailed(() => allocate(1, [0, 0]), "weights");
    expectValidationFailed(() => allocate(1, []), "weights");
  });

  it("refuses bad totals and weights naming the field", () => {
    expectValidationFailed(() => allocate(-1, [1]), "total");
    expectValidationFailed(() => allocate(1.5, [1]), "total");
    expectValidationFailed(() => allocate(10, [1, -1]), "weights[1]");
    expectValidationFailed(() => allocate(10, [1, 0.5]), "weights[1]");
    expectValidationFailed(() => allocate(10, [Number.NaN]), "weights[0]");
  });

  it("sums exactly to the total with one non-negative integer part per weight", () => {
    fc.assert(
      fc.property(total, weights, (amount, ws) => {
        const parts = allocate(amount, ws);
        expect(parts).toHaveLength(ws.length);
        expect(parts.every((part) => Number.isSafeInteger(part) && part >= 0)).toBe(true);
        expect(parts.reduce((acc, part) => acc + BigInt(part), 0n)).toBe(BigInt(amount));
      }),
      RUNS,
    );
  });

  it("gives each part the floor or ceiling of its exact share, and zero to a zero weight", () => {
    fc.assert(
      fc.property(total, weights, (amount, ws) => {
        const parts = allocate(amount, ws);
        return exactShares(amount, ws).every(({ floor, rem }, i) => {
          const part = BigInt(parts[i]!);
          return (part === floor || (rem > 0n && part === floor + 1n)) && (ws[i] !== 0 || part === 0n);
        });
      }),
      RUNS,
    );
  });

  it("rounds up exactly the largest remainders, lower index first on equal ones", () => {
    fc.assert(
      fc.property(total, weights, (amount, ws) => {
        const parts = allocate(amount, ws);
        const shares = exactShares(amount, ws);
        const up = shares.map(({ floor }, i) => BigInt(parts[i]!) > floor);
        return shares.every((a, i) =>
          shares.every(
            (b, j) => !(up[i] && !up[j] && b.rem > 0n) || a.rem > b.rem || (a.rem === b.rem && i < j),
          ),
        );
      }),
      RUNS,
    );
  });

  it("is deterministic and leaves its input alone", () => {
    fc.assert(
      fc.property(total, weights, (amount, ws) => {
        const copy = [...ws];
        expect(allocate(amount, ws)).toEqual(allocate(amount, ws));
        expect(ws).toEqual(copy);
      }),
      RUNS,
    );
  });

  it("never gives a part more than its weight when the total does not exceed the weights' sum", () => {
    const bounded = weights.chain((ws) =>
      fc.tuple(
        fc.constant(ws),
        fc.integer({
          min: 0,
          max: Math.min(
            ws.reduce((a, w) => a + w, 0),
            1e15,
          ),
        }),
      ),
    );
    fc.assert(
      fc.property(bounded, ([ws, amount]) => {
        return allocate(amount, ws).every((part, i) => part <= ws[i]!);
      }),
      RUNS,
    );
  });

  it("never gives a heavier weight less, and favours the lower index between equal weights", () => {
    fc.assert(
      fc.property(total, weights, (amount, ws) => {
        const parts = allocate(amount, ws);
        return ws.every((wi, i) =>
          ws.every((wj, j) => {
            const gap = parts[i]! - parts[j]!;
            if (wi > wj) return gap >= 0;
            return wi !== wj || i > j || gap === 0 || gap === 1;
          }),
        );
      }),
      RUNS,
    );
  });

  it("depends only on the weights' proportions", () => {
    const factor = fc.integer({ min: 1, max: 1000 });
    fc.assert(
      fc.property(total, weights, factor, (amount, ws, k) => {
        expect(
          allocate(
            amount,
            ws.map((w) => w * k),
          ),
        ).toEqual(allocate(amount, ws));
      }),
      RUNS,
    );
  });
});
