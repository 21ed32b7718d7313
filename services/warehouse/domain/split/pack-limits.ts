import { cutInto, type LineGroup, type SplitLine } from "./split-types";

interface OpenPackage {
  grams: number;
  cm3: number;
  /** Holds one unit over a limit: nothing else may join it. */
  sealed: boolean;
  /** Quantity by the line's position in the group. */
  quantities: Map<number, number>;
}

/** How many units of the line fit in the free room; zero-weight or zero-volume units never run out of it. */
function unitsThatFit(line: SplitLine, freeGrams: number, freeCm3: number): number {
  const byWeight = line.unitWeightGrams === 0 ? Infinity : Math.floor(freeGrams / line.unitWeightGrams);
  const byVolume = line.unitVolumeCm3 === 0 ? Infinity : Math.floor(freeCm3 / line.unitVolumeCm3);
  return Math.max(0, Math.min(byWeight, byVolume));
}

/** A unit's share of a package on its tighter dimension, the key for "decreasing" in first-fit decreasing. */
const unitSize = (line: SplitLine, maxGrams: number, maxCm3: number) =>
  Math.max(line.unitWeightGrams / maxGrams, line.unitVolumeCm3 / maxCm3);

function add(pkg: OpenPackage, position: number, line: SplitLine, units: number): void {
  pkg.grams += units * line.unitWeightGrams;
  pkg.cm3 += units * line.unitVolumeCm3;
  pkg.quantities.set(position, units);
}

/**
 * Rule 4: packs the group's units so no package passes maxGrams or maxCm3, splitting a line's quantity
 * across packages when needed. First-fit decreasing over units (a line's units are consecutive, so a line
 * appears at most once per package); a unit over a limit ships alone. Packages come out ordered by their
 * first line, then by when they were opened. A split is WEIGHT when the group weighs more than one
 * package may, else VOLUME.
 */
export function packWithinLimits(group: LineGroup, maxGrams: number, maxCm3: number): LineGroup[] {
  const largestFirst = group.lines
    .map((line, position) => ({ line, position, size: unitSize(line, maxGrams, maxCm3) }))
    .sort((a, b) => b.size - a.size || a.position - b.position);
  const packages: OpenPackage[] = [];
  for (const { line, position } of largestFirst) {
    let left = line.quantity;
    for (const pkg of packages) {
      if (left === 0) break;
      if (pkg.sealed) continue;
      const units = Math.min(left, unitsThatFit(line, maxGrams - pkg.grams, maxCm3 - pkg.cm3));
      if (units > 0) {
        add(pkg, position, line, units);
        left -= units;
      }
    }
    const perEmptyPackage = unitsThatFit(line, maxGrams, maxCm3);
    while (left > 0) {
      const units = perEmptyPackage === 0 ? 1 : Math.min(left, perEmptyPackage);
      const pkg: OpenPackage = { grams: 0, cm3: 0, sealed: perEmptyPackage === 0, quantities: new Map() };
      add(pkg, position, line, units);
      packages.push(pkg);
      left -= units;
    }
  }
  const firstPosition = (pkg: OpenPackage) => Math.min(...pkg.quantities.keys());
  const pieces = packages
    .map((pkg, opened) => ({ pkg, opened, first: firstPosition(pkg) }))
    .sort((a, b) => a.first - b.first || a.opened - b.opened)
    .map(({ pkg }) =>
      [...pkg.quantities.entries()]
        .sort(([a], [b]) => a - b)
        .map(([position, quantity]) => ({ ...group.lines[position]!, quantity })),
    );
  const totalGrams = group.lines.reduce((sum, line) => sum + line.quantity * line.unitWeightGrams, 0);
  return cutInto(group, pieces, totalGrams > maxGrams ? "WEIGHT" : "VOLUME");
}
