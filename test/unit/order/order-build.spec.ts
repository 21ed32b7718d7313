import { amountsAddUp, buildOrders, type CheckoutFacts } from "../../../services/order/domain/order";
import { DEFAULT_ORDER_TIMERS } from "../../../services/order/domain/order-config";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { PriceResult } from "../../../shared/contracts/promotion.contract";

const sku = {
  skuId: "S1",
  shopId: "A",
  title: "Tea",
  spec: "250g",
  priceMinor: 1_000,
  imageUrl: null,
  category: "food",
} as SkuInfo;

function facts(linePaid: number): CheckoutFacts {
  const amounts = {
    goodsMinor: 3_000,
    itemDiscountMinor: 0,
    memberDiscountMinor: 0,
    shopDiscountMinor: 300,
    couponDiscountMinor: 0,
    coinsDeductionMinor: 0,
    platformDiscountMinor: 0,
    priceAdjustmentMinor: 0,
    shippingFeeMinor: 1_000,
    payableMinor: 3_700,
  };
  const price: PriceResult = {
    currency: "CNY",
    shops: [
      {
        shopId: "A",
        amounts,
        paymentTimeoutMs: null,
        autoConfirmMs: null,
        lines: [
          {
            lineId: "L1",
            skuId: "S1",
            shopId: "A",
            quantity: 3,
            unitPriceMinor: 1_000,
            goodsMinor: 3_000,
            allocations: [{ kind: "SHOP_THRESHOLD", sourceId: "c1", funder: "SHOP", amountMinor: 300 }],
            paidMinor: linePaid,
            unitPaidMinor: [900, 900, linePaid - 1_800],
            deductionStrategy: "RESERVE_ON_ORDER",
            campaignId: null,
          },
        ],
      },
    ],
    totals: amounts,
    couponIds: [],
    coinsUsed: 0,
    memberTier: null,
    steps: [],
  };
  const now = new Date("2026-11-26T10:00:00Z");
  return {
    parentOrderNo: "15261126000000000001",
    orderNoByShop: new Map([["A", "11261126000000000002"]]),
    buyerId: "b1",
    sourceChannel: "APP",
    address: {
      name: "Li",
      phone: "13800000000",
      province: "Zhejiang",
      city: "Hangzhou",
      district: "Xihu",
      detail: "1",
    },
    invoice: null,
    buyerNote: null,
    now,
    timers: DEFAULT_ORDER_TIMERS,
    paymentDeadline: new Date(now.getTime() + DEFAULT_ORDER_TIMERS.paymentTimeoutMs),
    price,
    skus: new Map([["S1", sku]]),
    reservedLines: new Map([
      ["L1", { lineId: "L1", skuId: "S1", warehouseId: "W1", quantity: 3, strategy: "RESERVE_ON_ORDER" }],
    ]),
    positions: new Map([["L1", 0]]),
  };
}

describe("buildOrders", () => {
  it("builds a pending child per shop whose amounts add up, with the warehouse of its reservation", () => {
    const { parent, children } = buildOrders(facts(2_700));
    expect(parent.paymentDeadline.toISOString()).toBe("2026-11-26T10:30:00.000Z");
    expect(children).toHaveLength(1);
    const [child] = children;
    expect(child).toMatchObject({ status: "PENDING_PAYMENT", shopId: "A", orderNo: "11261126000000000002" });
    expect(child?.lines[0]).toMatchObject({ warehouseId: "W1", listPriceMinor: 1_000, paidMinor: 2_700 });
    expect(amountsAddUp(child!)).toBe(true);
  });

  it("refuses to build orders whose lines do not pay exactly the payable amount", () => {
    expect(() => buildOrders(facts(2_699))).toThrow("do not add up");
  });
});
