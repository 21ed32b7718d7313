import { planIntercept } from "../../../services/warehouse/domain/intercept-plan";
import { allHandedOver } from "../../../services/warehouse/domain/package";
import {
  checkReplacement,
  planReplacement,
  replacementReservation,
} from "../../../services/warehouse/domain/plan-replacement";
import { restockUnits } from "../../../services/warehouse/domain/return-receipt";
import { parseIncompatibleClasses } from "../../../services/warehouse/domain/split";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { CreateReplacementParams } from "../../../shared/contracts/warehouse.contract";
import { bought, pkg, T0, T1 } from "./package-fixtures";

const error = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { type: (err as { type: string }).type, data: (err as { data: object }).data };
  }
  throw new Error("expected a failure");
};

const rules = {
  highValueMinor: 500_000,
  maxPackageGrams: 20_000,
  maxPackageCm3: 120_000,
  incompatible: parseIncompatibleClasses("FOOD:CHEMICAL"),
};

const skuInfo = (skuId: string, storageClass: string): SkuInfo => ({
  skuId,
  shopId: "shop-1",
  title: skuId,
  spec: "",
  priceMinor: 1000,
  imageUrl: null,
  category: "general",
  storageClass,
  weightGrams: 400,
  volumeCm3: 100,
  declaredValueMinor: 1000,
  deductionStrategy: "RESERVE_ON_ORDER",
  purchaseLimitPerUser: null,
  onSale: true,
});

const AFTER_SALES_NO = "17261126000000000017";
const ADDRESS = {
  name: "Han Mei",
  phone: "139",
  province: "Jiangsu",
  city: "Suzhou",
  district: "Gusu",
  detail: "2",
};

const exchange = (lines: CreateReplacementParams["lines"]): CreateReplacementParams => ({
  afterSalesNo: AFTER_SALES_NO,
  orderNo: "2026112600000001",
  shopId: "shop-1",
  buyerId: "buyer-1",
  address: ADDRESS,
  lines,
});

const fulfilment = {
  orderNo: "2026112600000001",
  parentOrderNo: "2026112600000000",
  shopId: "shop-1",
  buyerId: "buyer-1",
  paymentNo: "P1",
  paidAt: T0,
  address: { ...ADDRESS, province: "Zhejiang" },
};

describe("replacement packages in the order's figures", () => {
  const replacement = (position: number, units: Record<string, number>, status = "PENDING" as const) =>
    pkg(position, units, { afterSalesNo: AFTER_SALES_NO, packageId: `${AFTER_SALES_NO}-1`, status });

  it("leaves allShipped to the order's own packages", () => {
    const own = pkg(1, { a: 1 }, { status: "HANDED_OVER" });
    expect(allHandedOver([own, replacement(2, { a: 1 })])).toBe(true);
    expect(allHandedOver([pkg(1, { a: 1 }), { ...replacement(2, { a: 1 }), status: "HANDED_OVER" }])).toBe(
      false,
    );
  });

  it("never intercepts units of a replacement package", () => {
    const packages = [pkg(1, { a: 2 }, { status: "HANDED_OVER" }), replacement(2, { a: 1 })];
    const err = error(() => planIntercept(bought({ a: 2 }), packages, undefined, T1));
    expect(err).toMatchObject({ type: "PACKAGE_ALREADY_SHIPPED" });
    const open = [pkg(1, { a: 2 }), replacement(2, { a: 1 })];
    const plan = planIntercept(bought({ a: 2 }), open, [{ lineId: "a", quantity: 2 }], T1);
    expect(plan.changed.map((p) => p.packageId)).toEqual(["2026112600000001-1"]);
    expect(plan.emptiedIds).toEqual(["2026112600000001-1"]);
  });
});

describe("replacementReservation", () => {
  it("reserves on order under the after-sales number, one line per SKU, near the given receiver, as a replacement", () => {
    const params = replacementReservation(
      exchange([
        { lineId: "L1", skuId: "tee", quantity: 1 },
        { lineId: "L2", skuId: "cap", quantity: 2 },
        { lineId: "L3", skuId: "tee", quantity: 2 },
      ]),
    );
    expect(params).toEqual({
      reservationId: AFTER_SALES_NO,
      buyerId: "buyer-1",
      province: "Jiangsu",
      lines: [
        { lineId: "L1", skuId: "tee", quantity: 3, strategy: "RESERVE_ON_ORDER" },
        { lineId: "L2", skuId: "cap", quantity: 2, strategy: "RESERVE_ON_ORDER" },
      ],
      replacement: true,
    });
  });
});

describe("checkReplacement", () => {
  const lines = bought({ L1: 2, L2: 1 });

  it("accepts lines of the order, once each", () => {
    expect(() =>
      checkReplacement(exchange([{ lineId: "L2", skuId: "x", quantity: 5 }]), fulfilment, lines),
    ).not.toThrow();
  });

  it("refuses another shop, another buyer, an unknown line and a line named twice", () => {
    const one = [{ lineId: "L1", skuId: "x", quantity: 1 }];
    expect(
      error(() => checkReplacement({ ...exchange(one), shopId: "shop-2" }, fulfilment, lines)),
    ).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "shopId" },
    });
    expect(
      error(() => checkReplacement({ ...exchange(one), buyerId: "b-2" }, fulfilment, lines)),
    ).toMatchObject({
      data: { field: "buyerId" },
    });
    expect(
      error(() => checkReplacement(exchange([{ lineId: "L9", skuId: "x", quantity: 1 }]), fulfilment, lines)),
    ).toMatchObject({
      data: { field: "lines[0].lineId" },
    });
    expect(error(() => checkReplacement(exchange([...one, ...one]), fulfilment, lines))).toMatchObject({
      data: { field: "lines[1].lineId" },
    });
  });
});

describe("planReplacement", () => {
  it("splits like an order into packages <afterSalesNo>-n after the order's positions, marked and PENDING", () => {
    const plan = planReplacement(
      exchange([
        { lineId: "L1", skuId: "food", quantity: 2 },
        { lineId: "L2", skuId: "soap", quantity: 1 },
      ]),
      [
        { skuId: "food", warehouseId: "wh-a" },
        { skuId: "soap", warehouseId: "wh-a" },
      ],
      [skuInfo("food", "FOOD"), skuInfo("soap", "CHEMICAL")],
      rules,
      3,
      T1,
    );
    expect(plan.packages.map((p) => [p.packageId, p.orderNo, p.position, p.afterSalesNo, p.status])).toEqual([
      [`${AFTER_SALES_NO}-1`, "2026112600000001", 3, AFTER_SALES_NO, "PENDING"],
      [`${AFTER_SALES_NO}-2`, "2026112600000001", 4, AFTER_SALES_NO, "PENDING"],
    ]);
    expect(plan.packages.map((p) => [p.warehouseId, p.splitReason, p.lines])).toEqual([
      ["wh-a", "STORAGE_CLASS", [{ lineId: "L1", skuId: "food", quantity: 2, plannedQuantity: 2 }]],
      ["wh-a", "STORAGE_CLASS", [{ lineId: "L2", skuId: "soap", quantity: 1, plannedQuantity: 1 }]],
    ]);
    expect(plan.replacement).toMatchObject({
      afterSalesNo: AFTER_SALES_NO,
      address: ADDRESS,
      packageIds: [`${AFTER_SALES_NO}-1`, `${AFTER_SALES_NO}-2`],
      createdAt: T1,
    });
    expect(plan.replacement.lines[0]).toMatchObject({
      lineId: "L1",
      warehouseId: "wh-a",
      unitWeightGrams: 400,
    });
  });

  it("packs each line in the warehouse its SKU was sold from", () => {
    const plan = planReplacement(
      exchange([
        { lineId: "L1", skuId: "tee", quantity: 1 },
        { lineId: "L2", skuId: "cap", quantity: 1 },
      ]),
      [
        { skuId: "tee", warehouseId: "wh-b" },
        { skuId: "cap", warehouseId: "wh-a" },
      ],
      [skuInfo("tee", "AMBIENT"), skuInfo("cap", "AMBIENT")],
      rules,
      2,
      T1,
    );
    expect(plan.packages.map((p) => [p.warehouseId, p.lines.map((l) => l.lineId), p.splitReason])).toEqual([
      ["wh-a", ["L2"], "WAREHOUSE"],
      ["wh-b", ["L1"], "WAREHOUSE"],
    ]);
  });

  it("throws for a SKU the inventory does not know or did not sell to the exchange", () => {
    const req = exchange([{ lineId: "L1", skuId: "tee", quantity: 1 }]);
    expect(() => planReplacement(req, [], [skuInfo("tee", "AMBIENT")], rules, 2, T1)).toThrow(/not sold/);
    expect(() => planReplacement(req, [{ skuId: "tee", warehouseId: "wh-a" }], [], rules, 2, T1)).toThrow(
      /unknown/,
    );
  });
});

describe("restockUnits", () => {
  it("sums the returned units per SKU and warehouse", () => {
    expect(
      restockUnits([
        { lineId: "L1", skuId: "tee", warehouseId: "wh-a", quantity: 1 },
        { lineId: "L2", skuId: "cap", warehouseId: "wh-b", quantity: 2 },
        { lineId: "L3", skuId: "tee", warehouseId: "wh-a", quantity: 2 },
      ]),
    ).toEqual([
      { skuId: "tee", warehouseId: "wh-a", quantity: 3 },
      { skuId: "cap", warehouseId: "wh-b", quantity: 2 },
    ]);
  });

  it("refuses one SKU coming back into two warehouses", () => {
    const err = error(() =>
      restockUnits([
        { lineId: "L1", skuId: "tee", warehouseId: "wh-a", quantity: 1 },
        { lineId: "L2", skuId: "tee", warehouseId: "wh-b", quantity: 1 },
      ]),
    );
    expect(err).toMatchObject({ type: "VALIDATION_FAILED", data: { field: "lines[1].warehouseId" } });
  });
});
