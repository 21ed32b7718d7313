import { allHandedOver, packageWeightGrams, unitsBySku } from "../../../services/warehouse/domain/package";
import { presentPackage } from "../../../services/warehouse/domain/package-view";
import { bought, pkg, T0 } from "./package-fixtures";

describe("allHandedOver", () => {
  it("holds when every package still holding units is handed over", () => {
    const emptied = pkg(2, { b: 0 }, { status: "INTERCEPTED" });
    expect(allHandedOver([pkg(1, { a: 1 }, { status: "HANDED_OVER" }), emptied])).toBe(true);
  });

  it("does not hold while a package with units is not handed over", () => {
    expect(
      allHandedOver([pkg(1, { a: 1 }, { status: "HANDED_OVER" }), pkg(2, { b: 1 }, { status: "PACKED" })]),
    ).toBe(false);
  });

  it("does not hold when nothing was handed over", () => {
    expect(allHandedOver([pkg(1, { a: 0 }, { status: "INTERCEPTED" })])).toBe(false);
  });
});

describe("package figures", () => {
  it("weighs a package by its remaining units", () => {
    expect(packageWeightGrams(pkg(1, { a: 2, b: 1 }), bought({ a: 2, b: 1 }))).toBe(750);
  });

  it("sums units per SKU and drops empty lines", () => {
    const lines = [
      { skuId: "x", quantity: 1 },
      { skuId: "y", quantity: 0 },
      { skuId: "x", quantity: 2 },
    ];
    expect(unitsBySku(lines)).toEqual([{ skuId: "x", quantity: 3 }]);
  });
});

describe("presentPackage", () => {
  it("shows the remaining units, the task times and the tracking", () => {
    const p = pkg(1, { a: 2, b: 0 }, { method: "MANUAL", carrier: "SF", trackingNo: "SF1" });
    const view = presentPackage(p, {
      packageId: p.packageId,
      orderNo: p.orderNo,
      carrier: "SF",
      trackingNo: "SF1",
      status: "IN_TRANSIT",
      events: [{ status: "IN_TRANSIT", at: T0.toISOString() }],
    });
    expect(view).toMatchObject({
      lines: [{ lineId: "a", skuId: "sku-a", quantity: 2 }],
      logisticsStatus: "IN_TRANSIT",
      events: [{ status: "IN_TRANSIT", at: T0.toISOString() }],
      task: { pickedAt: null, handedOverAt: null },
      createdAt: T0.toISOString(),
    });
  });

  it("shows no tracking when logistics has none", () => {
    expect(presentPackage(pkg(1, { a: 1 }))).toMatchObject({ logisticsStatus: null, events: [] });
  });
});
