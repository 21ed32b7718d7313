import {
  isHighValue,
  isolateHighValue,
  packWithinLimits,
  parseIncompatibleClasses,
  splitByStorageClass,
  splitByWarehouse,
} from "../../../services/warehouse/domain/split";
import { contents, group, line } from "./split-fixtures";

describe("splitByWarehouse", () => {
  it("makes one group per warehouse in warehouseId order, lines in input order", () => {
    const groups = splitByWarehouse([
      line("L1", { warehouseId: "W2" }),
      line("L2", { warehouseId: "W1" }),
      line("L3", { warehouseId: "W2" }),
    ]);
    expect(groups.map((g) => g.warehouseId)).toEqual(["W1", "W2"]);
    expect(contents(groups)).toEqual([["L2×1"], ["L1×1", "L3×1"]]);
    expect(groups.map((g) => g.reason)).toEqual(["WAREHOUSE", "WAREHOUSE"]);
  });

  it("leaves a single-warehouse order as one group without a reason", () => {
    const groups = splitByWarehouse([line("L1"), line("L2")]);
    expect(contents(groups)).toEqual([["L1×1", "L2×1"]]);
    expect(groups[0]!.reason).toBeNull();
  });

  it("makes no group of no lines", () => {
    expect(splitByWarehouse([])).toEqual([]);
  });
});

describe("splitByStorageClass", () => {
  const table = parseIncompatibleClasses("FOOD:CHEMICAL,COLD_CHAIN:AMBIENT");

  it("separates food from chemicals", () => {
    const groups = splitByStorageClass(
      group([line("F", { storageClass: "FOOD" }), line("C", { storageClass: "CHEMICAL" })]),
      table,
    );
    expect(contents(groups)).toEqual([["F×1"], ["C×1"]]);
    expect(groups.map((g) => g.reason)).toEqual(["STORAGE_CLASS", "STORAGE_CLASS"]);
  });

  it("keeps food with ambient when the pair is not in the table", () => {
    const groups = splitByStorageClass(
      group([line("F", { storageClass: "FOOD" }), line("A", { storageClass: "AMBIENT" })]),
      table,
    );
    expect(contents(groups)).toEqual([["F×1", "A×1"]]);
    expect(groups[0]!.reason).toBeNull();
  });

  it("separates cold chain from ambient", () => {
    const groups = splitByStorageClass(
      group([line("A", { storageClass: "AMBIENT" }), line("K", { storageClass: "COLD_CHAIN" })]),
      table,
    );
    expect(contents(groups)).toEqual([["A×1"], ["K×1"]]);
  });

  it("puts each line in the first sub-group it is compatible with, by line order", () => {
    const groups = splitByStorageClass(
      group([
        line("F1", { storageClass: "FOOD" }),
        line("C1", { storageClass: "CHEMICAL" }),
        line("A1", { storageClass: "AMBIENT" }),
        line("K1", { storageClass: "COLD_CHAIN" }),
        line("F2", { storageClass: "FOOD" }),
      ]),
      table,
    );
    // A1 joins F1; K1 cannot join F1+A1 (ambient) but can join C1; F2 goes back to F1's group.
    expect(contents(groups)).toEqual([
      ["F1×1", "A1×1", "F2×1"],
      ["C1×1", "K1×1"],
    ]);
  });

  it("keeps the reason an earlier rule gave when it does not split", () => {
    const groups = splitByStorageClass(group([line("A")], { reason: "WAREHOUSE" }), table);
    expect(groups[0]!.reason).toBe("WAREHOUSE");
  });
});

describe("isolateHighValue", () => {
  it("counts the whole line's declared value, strictly above the threshold", () => {
    expect(isHighValue(line("L", { unitDeclaredValueMinor: 100_000, quantity: 5 }), 500_000)).toBe(false);
    expect(isHighValue(line("L", { unitDeclaredValueMinor: 100_001, quantity: 5 }), 500_000)).toBe(true);
  });

  it("ships a high-value line alone and keeps the others together, ordered by first line", () => {
    const groups = isolateHighValue(
      group([
        line("L1"),
        line("PHONE", { unitDeclaredValueMinor: 600_000 }),
        line("L3"),
        line("WATCH", { unitDeclaredValueMinor: 300_000, quantity: 2 }),
      ]),
      500_000,
    );
    expect(contents(groups)).toEqual([["L1×1", "L3×1"], ["PHONE×1"], ["WATCH×2"]]);
    expect(groups.map((g) => g.reason)).toEqual(["HIGH_VALUE", "HIGH_VALUE", "HIGH_VALUE"]);
  });

  it("leaves a group of one high-value line as it is", () => {
    const groups = isolateHighValue(
      group([line("PHONE", { unitDeclaredValueMinor: 600_000 })], { reason: "STORAGE_CLASS" }),
      500_000,
    );
    expect(contents(groups)).toEqual([["PHONE×1"]]);
    expect(groups[0]!.reason).toBe("STORAGE_CLASS");
  });

  it("does nothing when no line is above the threshold", () => {
    const groups = isolateHighValue(group([line("L1"), line("L2")]), 500_000);
    expect(contents(groups)).toEqual([["L1×1", "L2×1"]]);
    expect(groups[0]!.reason).toBeNull();
  });
});

describe("packWithinLimits", () => {
  it("splits 5 units of 6 kg under a 20 kg limit into 3 + 2", () => {
    const groups = packWithinLimits(
      group([line("L", { quantity: 5, unitWeightGrams: 6_000 })]),
      20_000,
      120_000,
    );
    expect(contents(groups)).toEqual([["L×3"], ["L×2"]]);
    expect(groups.map((g) => g.reason)).toEqual(["WEIGHT", "WEIGHT"]);
  });

  it("splits by volume with the VOLUME reason when the weight fits", () => {
    const groups = packWithinLimits(
      group([line("BOX", { quantity: 4, unitWeightGrams: 100, unitVolumeCm3: 50_000 })]),
      20_000,
      120_000,
    );
    expect(contents(groups)).toEqual([["BOX×2"], ["BOX×2"]]);
    expect(groups.map((g) => g.reason)).toEqual(["VOLUME", "VOLUME"]);
  });

  it("ships a single 25 kg unit alone and packs the rest without it", () => {
    const groups = packWithinLimits(
      group([
        line("SMALL", { quantity: 3, unitWeightGrams: 2_000 }),
        line("ANVIL", { quantity: 1, unitWeightGrams: 25_000 }),
        line("FEATHER", { quantity: 2, unitWeightGrams: 0, unitVolumeCm3: 0 }),
      ]),
      20_000,
      120_000,
    );
    expect(contents(groups)).toEqual([["SMALL×3", "FEATHER×2"], ["ANVIL×1"]]);
    expect(groups.map((g) => g.reason)).toEqual(["WEIGHT", "WEIGHT"]);
  });

  it("ships every oversized unit of a line in its own package", () => {
    const groups = packWithinLimits(
      group([line("SOFA", { quantity: 3, unitWeightGrams: 1_000, unitVolumeCm3: 200_000 })]),
      20_000,
      120_000,
    );
    expect(contents(groups)).toEqual([["SOFA×1"], ["SOFA×1"], ["SOFA×1"]]);
    expect(groups[0]!.reason).toBe("VOLUME");
  });

  it("tops up a partly filled package with units of a lighter line (first-fit decreasing)", () => {
    const groups = packWithinLimits(
      group([
        line("LIGHT", { quantity: 6, unitWeightGrams: 1_000 }),
        line("HEAVY", { quantity: 3, unitWeightGrams: 8_000 }),
      ]),
      20_000,
      120_000,
    );
    // HEAVY first: 2 units (16 kg) and 1 unit (8 kg); LIGHT then fills the 4 kg left in the first, the rest goes in the second.
    expect(contents(groups)).toEqual([
      ["LIGHT×4", "HEAVY×2"],
      ["LIGHT×2", "HEAVY×1"],
    ]);
  });

  it("leaves a group within both limits as one package with its earlier reason", () => {
    const groups = packWithinLimits(
      group([line("L1", { quantity: 10, unitWeightGrams: 2_000 }), line("L2", { unitWeightGrams: 0 })], {
        reason: "HIGH_VALUE",
      }),
      20_000,
      120_000,
    );
    expect(contents(groups)).toEqual([["L1×10", "L2×1"]]);
    expect(groups[0]!.reason).toBe("HIGH_VALUE");
  });

  it("fills packages to the gram exactly at the limit", () => {
    const groups = packWithinLimits(
      group([line("L", { quantity: 8, unitWeightGrams: 5_000 })]),
      20_000,
      120_000,
    );
    expect(contents(groups)).toEqual([["L×4"], ["L×4"]]);
  });
});
