import { planIntercept } from "../../../services/warehouse/domain/intercept-plan";
import { bought, pkg, T1 } from "./package-fixtures";

const error = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { type: (err as { type: string }).type, data: (err as { data: object }).data };
  }
  throw new Error("expected a failure");
};

describe("planIntercept", () => {
  const lines = bought({ a: 3, b: 1 });

  it("takes every unit not handed over when no lines are given, intercepting emptied packages", () => {
    const packages = [pkg(1, { a: 2 }, { status: "HANDED_OVER" }), pkg(2, { a: 1, b: 1 })];
    const plan = planIntercept(lines, packages, undefined, T1);
    expect(plan.lines).toEqual([
      { lineId: "a", skuId: "sku-a", quantity: 1 },
      { lineId: "b", skuId: "sku-b", quantity: 1 },
    ]);
    expect(plan.emptiedIds).toEqual(["2026112600000001-2"]);
    expect(plan.changed[0]).toMatchObject({ status: "INTERCEPTED", task: { interceptedAt: T1 } });
    expect(plan.changed[0]!.lines.map((l) => l.quantity)).toEqual([0, 0]);
  });

  it("takes part of a package and leaves it open while it still holds units", () => {
    const plan = planIntercept(lines, [pkg(1, { a: 3, b: 1 })], [{ lineId: "a", quantity: 2 }], T1);
    expect(plan.emptiedIds).toEqual([]);
    expect(plan.changed[0]).toMatchObject({ status: "PENDING" });
    expect(plan.changed[0]!.lines).toEqual([
      { lineId: "a", skuId: "sku-a", quantity: 1, plannedQuantity: 3 },
      { lineId: "b", skuId: "sku-b", quantity: 1, plannedQuantity: 1 },
    ]);
  });

  it("takes from the least advanced package first", () => {
    const packages = [pkg(1, { a: 1 }), pkg(2, { a: 1 }, { status: "PACKED" }), pkg(3, { a: 1 })];
    const plan = planIntercept(bought({ a: 3 }), packages, [{ lineId: "a", quantity: 2 }], T1);
    expect(plan.emptiedIds).toEqual(["2026112600000001-1", "2026112600000001-3"]);
  });

  it("refuses, naming the line, when some requested units are already handed over", () => {
    const packages = [pkg(1, { a: 2 }, { status: "HANDED_OVER" }), pkg(2, { a: 1, b: 1 })];
    expect(error(() => planIntercept(lines, packages, [{ lineId: "a", quantity: 2 }], T1))).toEqual({
      type: "PACKAGE_ALREADY_SHIPPED",
      data: { lineId: "a", available: 1 },
    });
  });

  it("refuses an unknown or repeated line and more units than the line has, naming the field", () => {
    const packages = [pkg(1, { a: 3, b: 1 })];
    expect(error(() => planIntercept(lines, packages, [{ lineId: "zz", quantity: 1 }], T1))).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "lines[0].lineId" },
    });
    const twice = [
      { lineId: "a", quantity: 1 },
      { lineId: "a", quantity: 1 },
    ];
    expect(error(() => planIntercept(lines, packages, twice, T1))).toMatchObject({
      data: { field: "lines[1].lineId" },
    });
    const tooMany = [
      { lineId: "b", quantity: 1 },
      { lineId: "a", quantity: 4 },
    ];
    expect(error(() => planIntercept(lines, packages, tooMany, T1))).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "lines[1].quantity", remaining: 3 },
    });
  });

  it("counts units intercepted earlier as gone", () => {
    const earlier = pkg(1, { a: 3 });
    earlier.lines[0]!.quantity = 1;
    expect(
      error(() => planIntercept(bought({ a: 3 }), [earlier], [{ lineId: "a", quantity: 2 }], T1)),
    ).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "lines[0].quantity", remaining: 1 },
    });
  });

  it("refuses when everything is already handed over and no lines are given", () => {
    const packages = [pkg(1, { a: 3, b: 1 }, { status: "HANDED_OVER" })];
    expect(error(() => planIntercept(lines, packages, undefined, T1)).type).toBe("PACKAGE_ALREADY_SHIPPED");
  });

  it("leaves the packages it was given untouched", () => {
    const packages = [pkg(1, { a: 3, b: 1 })];
    planIntercept(lines, packages, undefined, T1);
    expect(packages[0]!.lines.map((l) => l.quantity)).toEqual([3, 1]);
    expect(packages[0]!.status).toBe("PENDING");
  });
});
