/** Which split rule cut a package off from the rest of the order (DOMAIN.md 10, in rule order). */
export type SplitReason = "WAREHOUSE" | "STORAGE_CLASS" | "HIGH_VALUE" | "WEIGHT" | "VOLUME";

/** Every reason, in the order the rules apply. */
export const SPLIT_REASONS: readonly SplitReason[] = [
  "WAREHOUSE",
  "STORAGE_CLASS",
  "HIGH_VALUE",
  "WEIGHT",
  "VOLUME",
];

/**
 * One paid order line as the split sees it. Preconditions (not checked): lineIds are unique within an
 * order, quantity is a positive integer, unit figures are non-negative safe integers.
 */
export interface SplitLine {
  lineId: string;
  skuId: string;
  warehouseId: string;
  storageClass: string;
  quantity: number;
  unitWeightGrams: number;
  unitVolumeCm3: number;
  unitDeclaredValueMinor: number;
}

/** Unordered pairs of storage classes that must not share a package, each stored as "A:B". */
export type IncompatibilityTable = ReadonlySet<string>;

/** The configured limits (WAREHOUSE_* settings); limits are positive integers. */
export interface SplitRules {
  highValueMinor: number;
  maxPackageGrams: number;
  maxPackageCm3: number;
  incompatible: IncompatibilityTable;
}

/** A package to create: some units of some lines of one warehouse. */
export interface PlannedPackage {
  warehouseId: string;
  lines: { lineId: string; skuId: string; quantity: number }[];
  /** The last rule that cut this package off from others (null when the order fits one package). */
  reason: SplitReason | null;
}

/**
 * Lines on their way through the rules: all from one warehouse, quantities possibly partial after the
 * weight/volume rule, in input order.
 */
export interface LineGroup {
  warehouseId: string;
  lines: SplitLine[];
  reason: SplitReason | null;
}

/** The pieces a rule cut a group into; they take the rule's reason only when the rule really split it. */
export function cutInto(group: LineGroup, pieces: SplitLine[][], reason: SplitReason): LineGroup[] {
  const label = pieces.length > 1 ? reason : group.reason;
  return pieces.map((lines) => ({ warehouseId: group.warehouseId, lines, reason: label }));
}
