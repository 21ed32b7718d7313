import { splitIntoPackages } from "../../../services/warehouse/domain/split";
import { contents, line, rules } from "./split-fixtures";

describe("splitIntoPackages", () => {
  it("ships an order that fits one package as one package without a reason", () => {
    const packages = splitIntoPackages([line("L1", { quantity: 2 }), line("L2")], rules());
    expect(packages).toEqual([
      {
        warehouseId: "W1",
        lines: [
          { lineId: "L1", skuId: "sku-L1", quantity: 2 },
          { lineId: "L2", skuId: "sku-L2", quantity: 1 },
        ],
        reason: null,
      },
    ]);
  });

  it("makes one package per warehouse", () => {
    const packages = splitIntoPackages(
      [line("L1", { warehouseId: "W-south" }), line("L2", { warehouseId: "W-east" })],
      rules(),
    );
    expect(packages.map((p) => [p.warehouseId, p.reason])).toEqual([
      ["W-east", "WAREHOUSE"],
      ["W-south", "WAREHOUSE"],
    ]);
    expect(contents(packages)).toEqual([["L2×1"], ["L1×1"]]);
  });

  it("keeps food with ambient goods but apart from chemicals and cold chain apart from ambient", () => {
    const packages = splitIntoPackages(
      [
        line("RICE", { storageClass: "FOOD" }),
        line("BLEACH", { storageClass: "CHEMICAL" }),
        line("BOOK", { storageClass: "AMBIENT" }),
        line("MILK", { storageClass: "COLD_CHAIN" }),
      ],
      rules(),
    );
    // MILK is incompatible with RICE+BOOK (ambient) and with BLEACH (chemical), so it opens a third.
    expect(contents(packages)).toEqual([["RICE×1", "BOOK×1"], ["BLEACH×1"], ["MILK×1"]]);
    expect(packages.every((p) => p.reason === "STORAGE_CLASS")).toBe(true);
  });

  it("ships a high-value line alone", () => {
    const packages = splitIntoPackages(
      [line("CASE"), line("PHONE", { unitDeclaredValueMinor: 799_900 }), line("CABLE", { quantity: 2 })],
      rules(),
    );
    expect(contents(packages)).toEqual([["CASE×1", "CABLE×2"], ["PHONE×1"]]);
    expect(packages.map((p) => p.reason)).toEqual(["HIGH_VALUE", "HIGH_VALUE"]);
  });

  it("splits 5 × 6 kg across two packages under the 20 kg limit", () => {
    const packages = splitIntoPackages([line("TILES", { quantity: 5, unitWeightGrams: 6_000 })], rules());
    expect(contents(packages)).toEqual([["TILES×3"], ["TILES×2"]]);
    expect(packages.map((p) => p.reason)).toEqual(["WEIGHT", "WEIGHT"]);
  });

  it("splits by the volume limit", () => {
    const packages = splitIntoPackages(
      [line("PILLOW", { quantity: 5, unitWeightGrams: 500, unitVolumeCm3: 40_000 })],
      rules(),
    );
    expect(contents(packages)).toEqual([["PILLOW×3"], ["PILLOW×2"]]);
    expect(packages.map((p) => p.reason)).toEqual(["VOLUME", "VOLUME"]);
  });

  it("ships a single 25 kg unit alone, the only package over a limit", () => {
    const packages = splitIntoPackages([line("CUP"), line("SAFE", { unitWeightGrams: 25_000 })], rules());
    expect(contents(packages)).toEqual([["CUP×1"], ["SAFE×1"]]);
    expect(packages.map((p) => p.reason)).toEqual(["WEIGHT", "WEIGHT"]);
  });

  it("applies every rule in order and labels each package with the last rule that cut it", () => {
    const packages = splitIntoPackages(
      [
        line("RICE", { storageClass: "FOOD", quantity: 4, unitWeightGrams: 9_000 }),
        line("SOAP", { storageClass: "CHEMICAL" }),
        line("TV", { warehouseId: "W2", unitDeclaredValueMinor: 900_000, unitWeightGrams: 15_000 }),
        line("REMOTE", { warehouseId: "W2" }),
        line("SNACK", { storageClass: "FOOD" }),
      ],
      rules(),
    );
    expect(packages.map((p) => [p.warehouseId, ...contents([p])[0]!, p.reason])).toEqual([
      ["W1", "RICE×2", "SNACK×1", "WEIGHT"],
      ["W1", "RICE×2", "WEIGHT"],
      ["W1", "SOAP×1", "STORAGE_CLASS"],
      ["W2", "TV×1", "HIGH_VALUE"],
      ["W2", "REMOTE×1", "HIGH_VALUE"],
    ]);
  });

  it("orders packages by warehouse, then by the position of their first line", () => {
    const packages = splitIntoPackages(
      [
        line("F1", { storageClass: "FOOD" }),
        line("C1", { storageClass: "CHEMICAL" }),
        line("F2", { storageClass: "FOOD", unitDeclaredValueMinor: 600_000 }),
      ],
      rules(),
    );
    expect(contents(packages)).toEqual([["F1×1"], ["C1×1"], ["F2×1"]]);
  });

  it("returns no packages for no lines", () => {
    expect(splitIntoPackages([], rules())).toEqual([]);
  });
});
