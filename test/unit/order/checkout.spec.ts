import { assertCheckoutRules, pricingLines } from "../../../services/order/domain/checkout";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";

const sku = (over: Partial<SkuInfo> = {}): SkuInfo => ({
  skuId: "S1",
  shopId: "shop-a",
  title: "Tea",
  spec: "250g",
  priceMinor: 3900,
  imageUrl: null,
  category: "food",
  storageClass: "AMBIENT",
  weightGrams: 250,
  volumeCm3: 500,
  declaredValueMinor: 3900,
  deductionStrategy: "DEDUCT_ON_PAYMENT",
  purchaseLimitPerUser: null,
  onSale: true,
  ...over,
});

const fails = (fn: () => unknown, type: string, details: object) =>
  expect(fn).toThrow(expect.objectContaining({ type, data: expect.objectContaining(details) }));

describe("checkout rules", () => {
  it("refuses a SKU listed twice, naming the second line", () => {
    const lines = [
      { skuId: "S1", quantity: 1 },
      { skuId: "S1", quantity: 2 },
    ];
    fails(() => assertCheckoutRules({ lines, couponIds: [], invoice: null }), "VALIDATION_FAILED", {
      field: "lines[1].skuId",
    });
  });

  it("refuses a coupon listed twice and a company invoice without a tax number", () => {
    const lines = [{ skuId: "S1", quantity: 1 }];
    fails(() => assertCheckoutRules({ lines, couponIds: ["c", "c"], invoice: null }), "VALIDATION_FAILED", {
      field: "couponIds",
    });
    fails(
      () => assertCheckoutRules({ lines, couponIds: [], invoice: { type: "COMPANY", title: "ACME" } }),
      "VALIDATION_FAILED",
      { field: "invoice.taxNumber" },
    );
  });

  it("names the unknown, off-sale or over-limit SKU", () => {
    const skus = new Map([
      ["S1", sku()],
      ["S2", sku({ skuId: "S2", onSale: false })],
      ["S3", sku({ skuId: "S3", purchaseLimitPerUser: 2 })],
    ]);
    fails(() => pricingLines([{ skuId: "NOPE", quantity: 1 }], skus), "SKU_NOT_FOUND", {
      skuId: "NOPE",
      field: "lines[0].skuId",
    });
    fails(() => pricingLines([{ skuId: "S2", quantity: 1 }], skus), "SKU_OFF_SALE", { skuId: "S2" });
    fails(() => pricingLines([{ skuId: "S3", quantity: 3 }], skus), "PURCHASE_LIMIT_EXCEEDED", {
      skuId: "S3",
      limit: 2,
    });
  });

  it("builds pricing lines with stable line ids from the SKU master", () => {
    const skus = new Map([["S1", sku()]]);
    expect(pricingLines([{ skuId: "S1", quantity: 2 }], skus)).toEqual([
      {
        lineId: "L1",
        skuId: "S1",
        shopId: "shop-a",
        category: "food",
        unitPriceMinor: 3900,
        quantity: 2,
        deductionStrategy: "DEDUCT_ON_PAYMENT",
      },
    ]);
  });
});
