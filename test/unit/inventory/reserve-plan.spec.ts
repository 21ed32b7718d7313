import { planReserve } from "../../../services/inventory/domain/reserve-plan";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";

const sku = (skuId: string, extra: Partial<SkuInfo> = {}): SkuInfo => ({
  skuId,
  shopId: "shop-1",
  title: skuId,
  spec: "",
  priceMinor: 100,
  imageUrl: null,
  category: "c",
  storageClass: "AMBIENT",
  weightGrams: 1,
  volumeCm3: 1,
  declaredValueMinor: 100,
  deductionStrategy: "RESERVE_ON_ORDER",
  purchaseLimitPerUser: null,
  onSale: true,
  ...extra,
});
const skus = new Map([
  ["A", sku("A", { purchaseLimitPerUser: 2 })],
  ["B", sku("B")],
  ["OFF", sku("OFF", { onSale: false })],
]);
const warehouses = [
  { warehouseId: "W1", provinces: ["Beijing"] },
  { warehouseId: "W2", provinces: ["Zhejiang"] },
];
const params = (lines: { skuId: string; quantity?: number }[]) => ({
  reservationId: "R1",
  buyerId: "b1",
  province: "Zhejiang",
  lines: lines.map((l, i) => ({
    lineId: `L${i}`,
    skuId: l.skuId,
    quantity: l.quantity ?? 1,
    strategy: "RESERVE_ON_ORDER" as const,
  })),
});

describe("planReserve", () => {
  it("gives every line its SKU's purchase limit and the warehouses in preference order", () => {
    expect(planReserve(params([{ skuId: "A", quantity: 2 }, { skuId: "B" }]), skus, warehouses)).toEqual([
      {
        skuId: "A",
        lineId: "L0",
        quantity: 2,
        strategy: "RESERVE_ON_ORDER",
        limit: 2,
        candidates: ["W2", "W1"],
      },
      {
        skuId: "B",
        lineId: "L1",
        quantity: 1,
        strategy: "RESERVE_ON_ORDER",
        limit: null,
        candidates: ["W2", "W1"],
      },
    ]);
  });

  it("refuses an unknown SKU with SKU_NOT_FOUND naming it", () => {
    expect(() => planReserve(params([{ skuId: "B" }, { skuId: "X" }]), skus, warehouses)).toThrow(
      expect.objectContaining({ type: "SKU_NOT_FOUND", data: { skuId: "X" } }),
    );
  });

  it("refuses an off-sale SKU with SKU_OFF_SALE naming it", () => {
    expect(() => planReserve(params([{ skuId: "OFF" }]), skus, warehouses)).toThrow(
      expect.objectContaining({ type: "SKU_OFF_SALE", data: { skuId: "OFF" } }),
    );
  });

  it("counts an exchange's replacement against no purchase limit, and sends a SKU taken off sale", () => {
    const plan = planReserve(
      { ...params([{ skuId: "A", quantity: 5 }, { skuId: "OFF" }]), replacement: true },
      skus,
      warehouses,
    );
    expect(plan.map((l) => [l.skuId, l.limit])).toEqual([
      ["A", null],
      ["OFF", null],
    ]);
    expect(() => planReserve({ ...params([{ skuId: "X" }]), replacement: true }, skus, warehouses)).toThrow(
      expect.objectContaining({ type: "SKU_NOT_FOUND" }),
    );
  });

  it("refuses two lines of one SKU, naming the second line's field", () => {
    expect(() =>
      planReserve(params([{ skuId: "A" }, { skuId: "B" }, { skuId: "A" }]), skus, warehouses),
    ).toThrow(
      expect.objectContaining({ type: "VALIDATION_FAILED", data: { field: "lines[2].skuId", skuId: "A" } }),
    );
  });
});
