import { compatible, parseIncompatibleClasses } from "../../../services/warehouse/domain/split";

describe("parseIncompatibleClasses", () => {
  it("reads comma-separated pairs", () => {
    const table = parseIncompatibleClasses("FOOD:CHEMICAL,COLD_CHAIN:AMBIENT");
    expect([...table].sort()).toEqual(["AMBIENT:COLD_CHAIN", "CHEMICAL:FOOD"]);
  });

  it("treats a pair as unordered and keeps duplicates once", () => {
    const table = parseIncompatibleClasses("FOOD:CHEMICAL, CHEMICAL:FOOD");
    expect(table.size).toBe(1);
    expect(compatible(table, "CHEMICAL", "FOOD")).toBe(false);
  });

  it("tolerates spaces around names and entries", () => {
    const table = parseIncompatibleClasses("  FOOD : CHEMICAL ,COLD_CHAIN:AMBIENT ");
    expect(compatible(table, "FOOD", "CHEMICAL")).toBe(false);
    expect(compatible(table, "AMBIENT", "COLD_CHAIN")).toBe(false);
  });

  it("reads blank text as no incompatible pairs", () => {
    expect(parseIncompatibleClasses("").size).toBe(0);
    expect(parseIncompatibleClasses("   ").size).toBe(0);
  });

  it.each([
    ["FOOD", /exactly CLASS_A:CLASS_B/],
    ["FOOD:CHEMICAL:AMBIENT", /exactly CLASS_A:CLASS_B/],
    ["FOOD:", /two class names/],
    [":FOOD", /two class names/],
    ["FOOD:CHEMICAL,", /empty/],
    ["FOOD:CHEMICAL,,COLD_CHAIN:AMBIENT", /empty/],
    ["FOOD:CHEMICAL;COLD_CHAIN:AMBIENT", /exactly CLASS_A:CLASS_B/],
    ["COLD CHAIN:AMBIENT", /without spaces/],
    ["FOOD:FOOD", /itself/],
  ])("refuses %j with a message naming the problem", (text, message) => {
    expect(() => parseIncompatibleClasses(text)).toThrow(message);
    expect(() => parseIncompatibleClasses(text)).toThrow(/Malformed incompatible storage classes/);
  });
});

describe("compatible", () => {
  const table = parseIncompatibleClasses("FOOD:CHEMICAL");

  it("refuses a listed pair in either order", () => {
    expect(compatible(table, "FOOD", "CHEMICAL")).toBe(false);
    expect(compatible(table, "CHEMICAL", "FOOD")).toBe(false);
  });

  it("allows pairs that are not listed and a class with itself", () => {
    expect(compatible(table, "FOOD", "AMBIENT")).toBe(true);
    expect(compatible(table, "FOOD", "FOOD")).toBe(true);
  });

  it("is case-sensitive", () => {
    expect(compatible(table, "food", "CHEMICAL")).toBe(true);
    expect(compatible(parseIncompatibleClasses("food:chemical"), "FOOD", "CHEMICAL")).toBe(true);
  });

  it("honours a hand-built table written in either order", () => {
    expect(compatible(new Set(["B:A"]), "A", "B")).toBe(false);
  });
});
