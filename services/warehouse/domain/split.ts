import { splitByStorageClass } from "./split/by-storage-class";
import { splitByWarehouse } from "./split/by-warehouse";
import { isolateHighValue } from "./split/high-value";
import { packWithinLimits } from "./split/pack-limits";
import type { PlannedPackage, SplitLine, SplitRules } from "./split/split-types";

export { splitByStorageClass } from "./split/by-storage-class";
export { splitByWarehouse } from "./split/by-warehouse";
export { isHighValue, isolateHighValue } from "./split/high-value";
export { compatible, parseIncompatibleClasses } from "./split/incompatibility";
export { packWithinLimits } from "./split/pack-limits";
export type {
  IncompatibilityTable,
  LineGroup,
  PlannedPackage,
  SplitLine,
  SplitReason,
  SplitRules,
} from "./split/split-types";
export { SPLIT_REASONS } from "./split/split-types";

/**
 * Splits a paid child order into packages (DOMAIN.md 10, 拆单): by warehouse, then storage class, then
 * high value, then weight/volume. Packages come out by warehouseId, then by the input position of their
 * first line; lines keep input order. Preconditions as on SplitLine (unique lineIds, positive integer
 * quantities) and SplitRules (positive limits); nothing is validated here.
 */
export function splitIntoPackages(lines: readonly SplitLine[], rules: SplitRules): PlannedPackage[] {
  const position = new Map(lines.map((line, index) => [line.lineId, index]));
  const groups = splitByWarehouse(lines)
    .flatMap((group) => splitByStorageClass(group, rules.incompatible))
    .flatMap((group) => isolateHighValue(group, rules.highValueMinor))
    .flatMap((group) => packWithinLimits(group, rules.maxPackageGrams, rules.maxPackageCm3));
  const firstPosition = (group: (typeof groups)[number]) => position.get(group.lines[0]!.lineId)!;
  return groups
    .map((group, index) => ({ group, index }))
    .sort(
      (a, b) =>
        (a.group.warehouseId < b.group.warehouseId
          ? -1
          : a.group.warehouseId > b.group.warehouseId
            ? 1
            : 0) ||
        firstPosition(a.group) - firstPosition(b.group) ||
        a.index - b.index,
    )
    .map(({ group }) => ({
      warehouseId: group.warehouseId,
      lines: group.lines.map(({ lineId, skuId, quantity }) => ({ lineId, skuId, quantity })),
      reason: group.reason,
    }));
}
