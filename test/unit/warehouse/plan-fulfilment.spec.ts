import { planFulfilment } from "../../../services/warehouse/domain/plan-fulfilment";
import { parseIncompatibleClasses } from "../../../services/warehouse/domain/split";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { OrderPaidPayload } from "../../../shared/contracts/order.contract";
import { T0 } from "./package-fixtures";

const rules = {
  highValueMinor: 500_000,
  maxPackageGrams: 20_000,
  maxPackageCm3: 120_000,
  incompatible: parseIncompatibleClasses("FOOD:CHEMICAL"),
};

const skuInfo = (skuId: string, storageClass: string, weightGrams = 500): SkuInfo => ({
  skuId,
  shopId: "shop-1",
  title: skuId,
  spec: "",
  priceMinor: 1000,
  imageUrl: null,
  category: "general",
  storageClass,
  weightGrams,
  volumeCm3: 100,
  declaredValueMinor: 1000,
  deductionStrategy: "RESERVE_ON_ORDER",
  purchaseLimitPerUser: null,
  onSale: true,
});

const paid = (lines: OrderPaidPayload["lines"]): OrderPaidPayload => ({
  orderNo: "2026112600000001",
  parentOrderNo: "2026112600000000",
  buyerId: "buyer-1",
  shopId: "shop-1",
  paymentNo: "P1",
  paidMinor: 5000,
  paidAt: T0.toISOString(),
  address: { name: "Li", phone: "1", province: "Zhejiang", city: "Hangzhou", district: "Xihu", detail: "1" },
  lines,
});

describe("planFulfilment", () => {
  it("numbers the split's packages from 1 under the order number, all PENDING", () => {
    const plan = planFulfilment(
      paid([
        { lineId: "L1", skuId: "food", quantity: 2, warehouseId: "wh-a" },
        { lineId: "L2", skuId: "soap", quantity: 1, warehouseId: "wh-a" },
        { lineId: "L3", skuId: "food", quantity: 1, warehouseId: "wh-b" },
      ]),
      [skuInfo("food", "FOOD"), skuInfo("soap", "CHEMICAL")],
      rules,
      T0,
    );
    expect(plan.packages.map((p) => [p.packageId, p.position, p.warehouseId, p.status])).toEqual([
      ["2026112600000001-1", 1, "wh-a", "PENDING"],
      ["2026112600000001-2", 2, "wh-a", "PENDING"],
      ["2026112600000001-3", 3, "wh-b", "PENDING"],
    ]);
    expect(plan.packages[0]!.lines).toEqual([
      { lineId: "L1", skuId: "food", quantity: 2, plannedQuantity: 2 },
    ]);
    expect(plan.packages.map((p) => p.splitReason)).toEqual(["STORAGE_CLASS", "STORAGE_CLASS", "WAREHOUSE"]);
    expect(plan.lines[1]).toMatchObject({ lineId: "L2", storageClass: "CHEMICAL", unitWeightGrams: 500 });
    expect(plan.fulfilment).toMatchObject({ orderNo: "2026112600000001", shopId: "shop-1", paidAt: T0 });
  });

  it("refuses an order whose SKU the inventory does not know", () => {
    expect(() =>
      planFulfilment(
        paid([{ lineId: "L1", skuId: "gone", quantity: 1, warehouseId: "wh-a" }]),
        [],
        rules,
        T0,
      ),
    ).toThrow(/gone/);
  });
});
