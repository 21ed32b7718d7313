import { checkedFirst, warehousePreference } from "../../../services/inventory/domain/warehouse-preference";

describe("warehousePreference", () => {
  const warehouses = [
    { warehouseId: "W-south", provinces: ["Guangdong"] },
    { warehouseId: "W-east-2", provinces: ["Zhejiang"] },
    { warehouseId: "W-east-1", provinces: ["Zhejiang", "Jiangsu"] },
    { warehouseId: "W-north", provinces: [] },
  ];

  it("puts the warehouses serving the province first, each group in id order", () => {
    expect(warehousePreference(warehouses, "Zhejiang")).toEqual([
      "W-east-1",
      "W-east-2",
      "W-north",
      "W-south",
    ]);
  });

  it("keeps every warehouse as a fallback when none serves the province", () => {
    expect(warehousePreference(warehouses, "Tibet")).toEqual(["W-east-1", "W-east-2", "W-north", "W-south"]);
  });

  it("ignores surrounding spaces in the receiver's province", () => {
    expect(warehousePreference(warehouses, " Guangdong ")[0]).toBe("W-south");
  });

  it("answers nothing when there are no warehouses", () => {
    expect(warehousePreference([], "Zhejiang")).toEqual([]);
  });
});

describe("checkedFirst", () => {
  it("tries the warehouse a line was checked in before the usual order", () => {
    expect(checkedFirst(["A", "B", "C"], "B")).toEqual(["B", "A", "C"]);
  });
});
