import fc from "fast-check";
import {
  type LineGroup,
  parseIncompatibleClasses,
  type SplitLine,
  type SplitRules,
} from "../../../services/warehouse/domain/split";

export const WAREHOUSES = ["W1", "W2", "W3"];
export const CLASSES = ["AMBIENT", "FOOD", "CHEMICAL", "COLD_CHAIN", "FROZEN", "FRAGILE"];
const PAIRS = CLASSES.flatMap((a, i) => CLASSES.slice(i + 1).map((b) => `${a}:${b}`));

const grams = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 2_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 30_000 }) },
);
const cm3 = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 10_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 160_000 }) },
);
const valueMinor = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 50_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 50_000, max: 1_000_000 }) },
);
const quantity = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 6 }) },
  { weight: 2, arbitrary: fc.integer({ min: 7, max: 40 }) },
);

const lineFields = fc.record({
  skuId: fc.constantFrom("A", "B", "C", "D", "E"),
  warehouseId: fc.constantFrom(...WAREHOUSES),
  storageClass: fc.constantFrom(...CLASSES),
  quantity,
  unitWeightGrams: grams,
  unitVolumeCm3: cm3,
  unitDeclaredValueMinor: valueMinor,
});

/** 0–12 lines with unique lineIds (in a shuffled naming so ids do not follow positions). */
export const cart: fc.Arbitrary<SplitLine[]> = fc
  .array(lineFields, { maxLength: 12 })
  .map((fields) => fields.map((f, i) => ({ lineId: `L${(i * 7) % 13}`, ...f })));

/** Mostly the shipped default, sometimes another size, now and then so small that most units are oversized. */
export const limit = (shipped: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(shipped) },
    { weight: 2, arbitrary: fc.integer({ min: shipped / 20, max: shipped * 2 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: shipped / 20 }) },
  );

/** A random incompatibility table written as the setting would be, plus random limits. */
export const splitRules: fc.Arbitrary<SplitRules> = fc.record({
  highValueMinor: fc.oneof(fc.constant(500_000), fc.integer({ min: 0, max: 2_000_000 })),
  maxPackageGrams: limit(20_000),
  maxPackageCm3: limit(120_000),
  incompatible: fc.subarray(PAIRS).map((pairs) => parseIncompatibleClasses(pairs.join(","))),
});

/** A non-empty group of one warehouse, as rule 4 receives it. */
export const lineGroup: fc.Arbitrary<LineGroup> = fc
  .array(lineFields, { minLength: 1, maxLength: 8 })
  .map((fields) => ({
    warehouseId: "W1",
    reason: null,
    lines: fields.map((f, i) => ({ ...f, lineId: `L${i}`, warehouseId: "W1" })),
  }));
