import fc from "fast-check";
import {
  compatible,
  isHighValue,
  type PlannedPackage,
  packWithinLimits,
  SPLIT_REASONS,
  type SplitLine,
  type SplitRules,
  splitIntoPackages,
} from "../../../services/warehouse/domain/split";
import { cart, limit, lineGroup, splitRules } from "./split-arbitraries";

const RUNS = { numRuns: 3000 };

type Packed = { lines: { lineId: string; quantity: number }[] };

function measure(pkg: Packed, byId: Map<string, SplitLine>) {
  let grams = 0;
  let cm3 = 0;
  let units = 0;
  for (const { lineId, quantity } of pkg.lines) {
    const line = byId.get(lineId)!;
    grams += quantity * line.unitWeightGrams;
    cm3 += quantity * line.unitVolumeCm3;
    units += quantity;
  }
  return { grams, cm3, units };
}

const indexById = (lines: readonly SplitLine[]) => new Map(lines.map((l) => [l.lineId, l]));

/**
 * Runs the split on every random cart and collects what a check finds wrong with each package; one
 * expect per cart keeps thousands of runs fast and the counterexample readable.
 */
function assertEveryPackage(
  check: (pkg: PlannedPackage, byId: Map<string, SplitLine>, rules: SplitRules) => string | null,
): void {
  fc.assert(
    fc.property(cart, splitRules, (lines, rules) => {
      const byId = indexById(lines);
      const problems = splitIntoPackages(lines, rules)
        .map((pkg) => check(pkg, byId, rules))
        .filter((problem) => problem !== null);
      expect(problems).toEqual([]);
    }),
    RUNS,
  );
}

describe("splitIntoPackages properties over random carts", () => {
  it("puts every unit of every line in exactly one package", () => {
    fc.assert(
      fc.property(cart, splitRules, (lines, rules) => {
        const packed = new Map<string, number>();
        for (const pkg of splitIntoPackages(lines, rules)) {
          for (const { lineId, quantity } of pkg.lines)
            packed.set(lineId, (packed.get(lineId) ?? 0) + quantity);
        }
        expect(packed).toEqual(new Map(lines.map((l) => [l.lineId, l.quantity])));
      }),
      RUNS,
    );
  });

  it("makes no empty package and lists a line at most once per package, with its sku and whole units", () => {
    assertEveryPackage((pkg, byId) => {
      const ids = pkg.lines.map((l) => l.lineId);
      if (ids.length === 0) return "empty package";
      if (new Set(ids).size !== ids.length) return `line twice in ${ids}`;
      const bad = pkg.lines.find(
        (l) => !Number.isInteger(l.quantity) || l.quantity <= 0 || l.skuId !== byId.get(l.lineId)!.skuId,
      );
      return bad ? `bad line ${JSON.stringify(bad)}` : null;
    });
  });

  it("keeps each package to one warehouse", () => {
    assertEveryPackage((pkg, byId) =>
      pkg.lines.every((l) => byId.get(l.lineId)!.warehouseId === pkg.warehouseId)
        ? null
        : `mixed warehouses in ${JSON.stringify(pkg)}`,
    );
  });

  it("never packs two incompatible storage classes together", () => {
    assertEveryPackage((pkg, byId, rules) => {
      const classes = pkg.lines.map((l) => byId.get(l.lineId)!.storageClass);
      const clash = classes.some((a, i) =>
        classes.slice(i + 1).some((b) => !compatible(rules.incompatible, a, b)),
      );
      return clash ? `incompatible classes ${classes}` : null;
    });
  });

  it("never lets a high-value line share a package", () => {
    assertEveryPackage((pkg, byId, rules) =>
      pkg.lines.length > 1 && pkg.lines.some((l) => isHighValue(byId.get(l.lineId)!, rules.highValueMinor))
        ? `high-value line shares ${JSON.stringify(pkg.lines)}`
        : null,
    );
  });

  it("keeps every package within the weight and volume limits unless it holds a single unit", () => {
    assertEveryPackage((pkg, byId, rules) => {
      const { grams, cm3, units } = measure(pkg, byId);
      return units > 1 && (grams > rules.maxPackageGrams || cm3 > rules.maxPackageCm3)
        ? `${units} units, ${grams} g, ${cm3} cm³ over ${rules.maxPackageGrams} g / ${rules.maxPackageCm3} cm³`
        : null;
    });
  });

  it("labels packages with a known reason, null exactly when the order is one package", () => {
    fc.assert(
      fc.property(cart, splitRules, (lines, rules) => {
        const packages = splitIntoPackages(lines, rules);
        const reasons = packages.map((p) => p.reason);
        if (packages.length === 1) expect(reasons).toEqual([null]);
        else expect(reasons.filter((r) => r === null || !SPLIT_REASONS.includes(r))).toEqual([]);
      }),
      RUNS,
    );
  });

  it("gives the same packages for the same input and leaves the input alone", () => {
    fc.assert(
      fc.property(cart, splitRules, (lines, rules) => {
        const before = structuredClone(lines);
        const first = splitIntoPackages(lines, rules);
        expect(lines).toEqual(before);
        expect(splitIntoPackages(structuredClone(lines), rules)).toEqual(first);
      }),
      RUNS,
    );
  });

  it("orders packages by warehouse then first line position, lines in input order", () => {
    fc.assert(
      fc.property(cart, splitRules, (lines, rules) => {
        const position = new Map(lines.map((l, i) => [l.lineId, i]));
        const keys = splitIntoPackages(lines, rules).map((pkg) => ({
          warehouseId: pkg.warehouseId,
          positions: pkg.lines.map((l) => position.get(l.lineId)!),
        }));
        const sorted = keys
          .map((k) => ({ ...k, positions: [...k.positions].sort((a, b) => a - b) }))
          .sort(
            (a, b) =>
              (a.warehouseId < b.warehouseId ? -1 : a.warehouseId > b.warehouseId ? 1 : 0) ||
              a.positions[0]! - b.positions[0]!,
          );
        expect(keys).toEqual(sorted);
      }),
      RUNS,
    );
  });

  it("ships a cart that needs no split as one package without a reason", () => {
    const fitting = fc.tuple(cart, splitRules).map(([lines, rules]): [SplitLine[], SplitRules] => [
      lines.map((l) => ({ ...l, warehouseId: "W1", storageClass: "AMBIENT" })),
      {
        ...rules,
        highValueMinor: Math.max(0, ...lines.map((l) => l.unitDeclaredValueMinor * l.quantity)),
        maxPackageGrams: Math.max(
          1,
          lines.reduce((s, l) => s + l.quantity * l.unitWeightGrams, 0),
        ),
        maxPackageCm3: Math.max(
          1,
          lines.reduce((s, l) => s + l.quantity * l.unitVolumeCm3, 0),
        ),
      },
    ]);
    fc.assert(
      fc.property(fitting, ([lines, rules]) => {
        const reasons = splitIntoPackages(lines, rules).map((p) => p.reason);
        expect(reasons).toEqual(lines.length === 0 ? [] : [null]);
      }),
      RUNS,
    );
  });
});

describe("packWithinLimits properties", () => {
  const limits = fc.record({ grams: limit(20_000), cm3: limit(120_000) });

  it("leaves no two packages that would fit together (first fit wastes no package)", () => {
    fc.assert(
      fc.property(lineGroup, limits, (group, { grams, cm3 }) => {
        const byId = indexById(group.lines);
        const sizes = packWithinLimits(group, grams, cm3).map((pkg) => measure(pkg, byId));
        const mergeable = sizes.flatMap((a, i) =>
          sizes.slice(i + 1).filter((b) => a.grams + b.grams <= grams && a.cm3 + b.cm3 <= cm3),
        );
        expect(mergeable).toEqual([]);
      }),
      RUNS,
    );
  });

  it("packs a single line into as few packages as its per-package capacity allows", () => {
    fc.assert(
      fc.property(lineGroup, limits, (group, { grams, cm3 }) => {
        const line = group.lines[0]!;
        const capacity = Math.min(
          line.quantity,
          line.unitWeightGrams === 0 ? Infinity : Math.floor(grams / line.unitWeightGrams),
          line.unitVolumeCm3 === 0 ? Infinity : Math.floor(cm3 / line.unitVolumeCm3),
        );
        const expected = capacity === 0 ? line.quantity : Math.ceil(line.quantity / capacity);
        expect(packWithinLimits({ ...group, lines: [line] }, grams, cm3)).toHaveLength(expected);
      }),
      RUNS,
    );
  });
});
