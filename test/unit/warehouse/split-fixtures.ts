import {
  type LineGroup,
  parseIncompatibleClasses,
  type SplitLine,
  type SplitRules,
} from "../../../services/warehouse/domain/split";

/** A 1 kg, 1 000 cm³, 10.00 yuan ambient line in W1 unless told otherwise. */
export const line = (lineId: string, extra: Partial<SplitLine> = {}): SplitLine => ({
  lineId,
  skuId: `sku-${lineId}`,
  warehouseId: "W1",
  storageClass: "AMBIENT",
  quantity: 1,
  unitWeightGrams: 1_000,
  unitVolumeCm3: 1_000,
  unitDeclaredValueMinor: 1_000,
  ...extra,
});

export const group = (lines: SplitLine[], extra: Partial<LineGroup> = {}): LineGroup => ({
  warehouseId: "W1",
  lines,
  reason: null,
  ...extra,
});

/** The shipped defaults (config.ts). */
export const rules = (extra: Partial<SplitRules> = {}): SplitRules => ({
  highValueMinor: 500_000,
  maxPackageGrams: 20_000,
  maxPackageCm3: 120_000,
  incompatible: parseIncompatibleClasses(
    "FOOD:CHEMICAL,COLD_CHAIN:AMBIENT,COLD_CHAIN:CHEMICAL,FROZEN:AMBIENT,FROZEN:CHEMICAL",
  ),
  ...extra,
});

/** Line ids and quantities of each group, for compact assertions. */
export const contents = (groups: { lines: { lineId: string; quantity: number }[] }[]) =>
  groups.map((g) => g.lines.map((l) => `${l.lineId}×${l.quantity}`));
