import fc from "fast-check";
import {
  FeistelPermutation,
  NUMBER_TYPE_DIGITS,
  OrderNumberCodec,
  type OrderNumberType,
  orderDay,
  parseOrderNumber,
  SEQUENCE_CAPACITY,
  SOURCE_CHANNEL_DIGITS,
  type SourceChannel,
  userTail,
} from "../../../shared/order-number/order-number";

const SECRET = "unit-test-order-number-secret";
const codec = new OrderNumberCodec(SECRET);
const CHANNELS = Object.keys(SOURCE_CHANNEL_DIGITS) as SourceChannel[];
const TYPES = Object.keys(NUMBER_TYPE_DIGITS) as OrderNumberType[];
const SAMPLE = {
  channel: "PC",
  type: "PAYMENT",
  date: "2026-11-26",
  userId: "99004821",
  sequence: 42,
} as const;

/** Luhn written independently of the code under test: every second digit from the right is doubled. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((ch, i) => {
    const d = Number(ch) * (i % 2 === 1 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return sum % 10 === 0;
}

function withCheckDigit(payload: string): string {
  const digit = [..."0123456789"].find((d) => luhnValid(payload + d));
  return payload + digit;
}

const VALID = codec.encode(SAMPLE);
const PAYLOAD = VALID.slice(0, 19);

function rejection(orderNo: unknown): { type?: string; message?: string; data?: unknown } {
  try {
    codec.decode(orderNo as string);
  } catch (err) {
    return err as { type?: string; message?: string };
  }
  throw new Error(`decode accepted ${String(orderNo)}`);
}

describe("userTail", () => {
  it("takes the last 4 digits of an id that ends in 4 digits", () => {
    expect(userTail("1234567890")).toBe("7890");
    expect(userTail("u_00004821")).toBe("4821");
  });

  it("zero-pads an all-digit id shorter than 4 digits", () => {
    expect(userTail("42")).toBe("0042");
  });

  it("maps other ids to FNV-1a of their UTF-8 bytes mod 10000", () => {
    expect(userTail("a")).toBe("2220"); // FNV-1a("a") = 0xe40c292c = 3826002220
    expect(userTail("buyer-x")).toBe(userTail("buyer-x"));
    expect(userTail("买家甲")).toMatch(/^\d{4}$/);
  });

  it("spreads hashed ids over the tails", () => {
    const tails = new Set(Array.from({ length: 2000 }, (_, i) => userTail(`buyer-${i}-x`)));
    expect(tails.size).toBeGreaterThan(1600);
  });

  it("rejects an empty id", () => {
    expect(() => userTail("")).toThrow(/non-empty/);
  });
});

describe("orderDay", () => {
  it("changes day at midnight Asia/Shanghai (16:00 UTC)", () => {
    expect(orderDay(new Date("2026-11-25T15:59:59.999Z"))).toBe("2026-11-25");
    expect(orderDay(new Date("2026-11-25T16:00:00.000Z"))).toBe("2026-11-26");
  });
});

describe("FeistelPermutation", () => {
  function expectBijection(permutation: FeistelPermutation, inverseEvery = 1): void {
    const seen = new Uint8Array(permutation.range);
    for (let x = 0; x < permutation.range; x++) {
      const y = permutation.permute(x);
      if (!(y >= 0 && y < permutation.range) || seen[y] === 1)
        throw new Error(`not a bijection at ${x} -> ${y}`);
      seen[y] = 1;
      if (x % inverseEvery === 0 && permutation.invert(y) !== x) throw new Error(`invert(${y}) is not ${x}`);
    }
  }

  it("is a bijection on [0, 10^4) and invert undoes it", () => {
    expectBijection(new FeistelPermutation(SECRET, 10_000, "a"));
  });

  it("cycle-walks into range when the range is not a square", () => {
    for (const range of [1, 2, 1000, 9973]) expectBijection(new FeistelPermutation(SECRET, range, "b"));
  });

  it("is a bijection on the real sequence range [0, 10^7)", () => {
    expectBijection(new FeistelPermutation(SECRET, SEQUENCE_CAPACITY, "2026-11-26:1"), 101);
  });

  it("inverts random points of the real range for random secrets", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.integer({ min: 0, max: SEQUENCE_CAPACITY - 1 }),
        (secret, x) => {
          const permutation = new FeistelPermutation(secret, SEQUENCE_CAPACITY);
          expect(permutation.invert(permutation.permute(x))).toBe(x);
        },
      ),
    );
  });

  it("gives a different permutation for another secret or label", () => {
    const base = new FeistelPermutation(SECRET, SEQUENCE_CAPACITY, "x");
    const others = [
      new FeistelPermutation(`${SECRET}!`, SEQUENCE_CAPACITY, "x"),
      new FeistelPermutation(SECRET, SEQUENCE_CAPACITY, "y"),
    ];
    for (const other of others) {
      const same = Array.from({ length: 1000 }, (_, x) => base.permute(x) === other.permute(x)).filter(
        Boolean,
      );
      expect(same.length).toBeLessThan(5);
    }
  });

  it("rejects values outside its range", () => {
    const permutation = new FeistelPermutation(SECRET, 1000);
    expect(() => permutation.permute(1000)).toThrow(RangeError);
    expect(() => permutation.invert(-1)).toThrow(RangeError);
    expect(() => permutation.permute(1.5)).toThrow(RangeError);
  });
});

describe("OrderNumberCodec", () => {
  it("decodes what it encodes", () => {
    const day = fc.date({
      min: new Date("2000-01-01T00:00:00Z"),
      max: new Date("2099-12-31T00:00:00Z"),
      noInvalidDate: true,
    });
    const userId = fc.oneof(fc.string({ minLength: 1, unit: "binary" }), fc.stringMatching(/^\d{1,12}$/));
    const fields = fc.record({
      channel: fc.constantFrom(...CHANNELS),
      type: fc.constantFrom(...TYPES),
      date: day.map((d) => d.toISOString().slice(0, 10)),
      userId,
      sequence: fc.integer({ min: 0, max: SEQUENCE_CAPACITY - 1 }),
    });
    fc.assert(
      fc.property(fields, ({ userId: id, ...rest }) => {
        const orderNo = codec.encode({ ...rest, userId: id });
        expect(orderNo).toMatch(/^[1-9]\d{19}$/);
        expect(codec.decode(orderNo)).toEqual({ ...rest, userTail: userTail(id) });
      }),
      { numRuns: 2000 },
    );
  });

  it("lays the fields out at the documented positions", () => {
    const orderNo = codec.encode(SAMPLE);
    expect(orderNo).toHaveLength(20);
    expect(orderNo.slice(0, 1)).toBe("4"); // PC
    expect(orderNo.slice(1, 2)).toBe("8"); // PAYMENT
    expect(orderNo.slice(2, 8)).toBe("261126");
    expect(orderNo.slice(8, 12)).toBe("4821");
    expect(Number(orderNo.slice(12, 19))).toBe(
      new FeistelPermutation(SECRET, SEQUENCE_CAPACITY, "2026-11-26:8").permute(42),
    );
    expect(luhnValid(orderNo)).toBe(true);
  });

  it("keeps producing the same number for the same secret and fields", () => {
    // Pinned: changing the format or the key derivation would orphan every stored number.
    expect(VALID).toBe("48261126482129504503");
  });

  it("scatters consecutive counter values over the sequence field", () => {
    const fields = Array.from({ length: 10_000 }, (_, sequence) =>
      parseOrderNumber(codec.encode({ ...SAMPLE, sequence })),
    );
    const gaps = fields.slice(1).map((f, i) => f.permutedSequence - fields[i]!.permutedSequence);
    expect(gaps.filter((gap) => Math.abs(gap) < 1000).length).toBeLessThan(100);
    expect(new Set(gaps).size).toBeGreaterThan(9000);
  });

  it("uses an unrelated permutation for each day and type", () => {
    const seq = (date: string, type: OrderNumberType) =>
      parseOrderNumber(codec.encode({ ...SAMPLE, date, type })).permutedSequence;
    const values = new Set([
      seq("2026-11-26", "STANDARD"),
      seq("2026-11-27", "STANDARD"),
      seq("2026-11-26", "REFUND"),
    ]);
    expect(values.size).toBe(3);
  });

  it.each([
    ["too short", VALID.slice(0, 19), /20 digits, got 19/],
    ["too long", `${VALID}0`, /20 digits, got 21/],
    ["not digits", `${VALID.slice(0, 10)}a${VALID.slice(11)}`, /only the digits/],
    ["spaced", `${VALID.slice(0, 4)} ${VALID.slice(5)}`, /only the digits/],
    ["a leading zero", withCheckDigit(`0${PAYLOAD.slice(1)}`), /first digit cannot be 0/],
    ["a wrong check digit", `${PAYLOAD}${(Number(VALID[19]) + 1) % 10}`, /check digit/],
    [
      "a typo in the middle",
      `${VALID.slice(0, 14)}${(Number(VALID[14]) + 5) % 10}${VALID.slice(15)}`,
      /check digit/,
    ],
    ["an unknown channel", withCheckDigit(`6${PAYLOAD.slice(1)}`), /source channel digit 6/],
    ["an unknown type", withCheckDigit(`46${PAYLOAD.slice(2)}`), /type digit 6/],
    ["an impossible date", withCheckDigit(`48260230${PAYLOAD.slice(8)}`), /no date 260230/],
  ])("rejects a number with %s", (_, orderNo, message) => {
    const err = rejection(orderNo);
    expect(err.type).toBe("VALIDATION_FAILED");
    expect(err.message).toMatch(message);
    expect(err.data).toMatchObject({ field: "orderNo" });
  });

  it("rejects a value that is not a string", () => {
    expect(rejection(Number(VALID)).message).toMatch(/string/);
  });

  it("refuses to encode fields outside the format", () => {
    expect(() => codec.encode({ ...SAMPLE, sequence: SEQUENCE_CAPACITY })).toThrow(RangeError);
    expect(() => codec.encode({ ...SAMPLE, date: "1999-12-31" })).toThrow(/2000-2099/);
    expect(() => codec.encode({ ...SAMPLE, date: "2026-02-29" })).toThrow(/YYYY-MM-DD/);
    expect(() => codec.encode({ ...SAMPLE, userId: "" })).toThrow(/user id/);
  });

  it("refuses a secret shorter than 16 bytes", () => {
    expect(() => new OrderNumberCodec("short")).toThrow(/16\+ bytes/);
  });
});

describe("parseOrderNumber", () => {
  it("reads channel, type, date and user tail without the secret", () => {
    expect(parseOrderNumber(codec.encode(SAMPLE))).toMatchObject({
      channel: "PC",
      type: "PAYMENT",
      date: "2026-11-26",
      userTail: "4821",
    });
  });
});
