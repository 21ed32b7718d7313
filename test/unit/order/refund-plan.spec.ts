import { coinsByChild } from "../../../services/order/domain/holds";
import { amountsAddUp, type ChildOrder, type OrderLine } from "../../../services/order/domain/order";
import { DEFAULT_ORDER_TIMERS } from "../../../services/order/domain/order-config";
import {
  applyRefund,
  planRefund,
  type RefundPlanInput,
  refundableUnits,
} from "../../../services/order/domain/refund-plan";
import type { Allocation } from "../../../shared/contracts/money-shapes";

const share = (kind: Allocation["kind"], sourceId: string, amountMinor: number): Allocation => ({
  kind,
  sourceId,
  funder: kind === "SHOP_THRESHOLD" || kind === "SHOP_COUPON" ? "SHOP" : "PLATFORM",
  amountMinor,
});

const line = (
  lineId: string,
  quantity: number,
  unitPriceMinor: number,
  allocations: Allocation[],
  unitPaidMinor: number[],
): OrderLine => ({
  lineId,
  position: Number(lineId.slice(1)),
  skuId: `SKU-${lineId}`,
  title: lineId,
  spec: "",
  imageUrl: null,
  category: "general",
  quantity,
  unitPriceMinor,
  listPriceMinor: unitPriceMinor,
  goodsMinor: unitPriceMinor * quantity,
  allocations,
  paidMinor: unitPaidMinor.reduce((sum, unit) => sum + unit, 0),
  unitPaidMinor,
  warehouseId: "W1",
  deductionStrategy: "DEDUCT_ON_PAYMENT",
  campaignId: null,
  refundedMinor: 0,
  refundedQuantity: 0,
});

/**
 * Shop A's child of a checkout: 40 000 fen of goods; threshold K1 (3 000), shop coupon CS (1 000), its share
 * of platform coupon CP (700) and 1 001 fen of coins, each allocated by largest remainder in that order over
 * the lines' amounts after the previous steps; 1 000 fen shipping; payable 35 299.
 */
function paidOrder(): ChildOrder {
  const lines = [
    line(
      "L1",
      3,
      10_000,
      [
        share("SHOP_THRESHOLD", "K1", 2_250),
        share("SHOP_COUPON", "CS", 750),
        share("PLATFORM_COUPON", "CP", 525),
      ].concat(share("COINS", "COINS", 751)),
      [8_575, 8_575, 8_574],
    ),
    line(
      "L2",
      1,
      5_000,
      [
        share("SHOP_THRESHOLD", "K1", 375),
        share("SHOP_COUPON", "CS", 125),
        share("PLATFORM_COUPON", "CP", 88),
      ].concat(share("COINS", "COINS", 125)),
      [4_287],
    ),
    line(
      "L3",
      2,
      2_500,
      [
        share("SHOP_THRESHOLD", "K1", 375),
        share("SHOP_COUPON", "CS", 125),
        share("PLATFORM_COUPON", "CP", 87),
      ].concat(share("COINS", "COINS", 125)),
      [2_144, 2_144],
    ),
  ];
  const at = new Date("2026-03-01T10:00:00Z");
  return {
    orderNo: "11260301000000000002",
    parentOrderNo: "15260301000000000001",
    orderType: "STANDARD",
    tableVersion: "1",
    shopId: "A",
    buyerId: "b1",
    status: "AWAITING_SHIPMENT",
    afterSalesStatus: "NONE",
    sourceChannel: "APP",
    address: { name: "Li", phone: "13800000000", province: "P", city: "C", district: "D", detail: "1" },
    amounts: {
      goodsMinor: 40_000,
      itemDiscountMinor: 0,
      memberDiscountMinor: 0,
      shopDiscountMinor: 3_000,
      couponDiscountMinor: 1_700,
      coinsDeductionMinor: 1_001,
      platformDiscountMinor: 0,
      priceAdjustmentMinor: 0,
      shippingFeeMinor: 1_000,
      payableMinor: 35_299,
      paidMinor: 35_299,
      refundedMinor: 0,
    },
    timers: DEFAULT_ORDER_TIMERS,
    invoice: null,
    buyerNote: null,
    merchantNote: null,
    reviewed: false,
    paymentDeadline: at,
    createdAt: at,
    paidAt: at,
    shippedAt: null,
    deliveredAt: null,
    confirmedAt: null,
    completedAt: null,
    autoConfirmAt: null,
    finishAt: null,
    shipBy: null,
    shipOverdueAt: null,
    review: null,
    closedAt: null,
    closeReason: null,
    paymentNo: "P1",
    lines,
  };
}

// The checkout spent 60 coins (2 000 fen at 3 coins per yuan); this child's 1 001 fen of it is 30 coins.
const CHILD_COINS = coinsByChild(60, [
  { orderNo: "11260301000000000002", amounts: { coinsDeductionMinor: 1_001 }, lines: [] },
  { orderNo: "11260301000000000003", amounts: { coinsDeductionMinor: 999 }, lines: [] },
]).get("11260301000000000002") as number;

const input = (over: Partial<RefundPlanInput> = {}): RefundPlanInput => ({
  order: paidOrder(),
  request: [],
  childCoins: CHILD_COINS,
  coinsReturned: 0,
  shipped: false,
  holdsPlatformCoupon: false,
  ...over,
});

const REST = [
  { lineId: "L1", quantity: 2 },
  { lineId: "L2", quantity: 1 },
  { lineId: "L3", quantity: 2 },
];

/** The order after refunding one unit of L1, and the coins that refund gave back. */
function afterOneUnit(): { order: ChildOrder; coinsReturned: number } {
  const first = planRefund(input({ request: [{ lineId: "L1", quantity: 1 }] }));
  return { order: applyRefund(paidOrder(), first), coinsReturned: first.coins };
}

describe("planRefund", () => {
  it("refunds one of three units at what that unit paid, with its coins share and no shipping or coupons", () => {
    expect(amountsAddUp(paidOrder())).toBe(true);
    expect(CHILD_COINS).toBe(30);
    expect(planRefund(input({ request: [{ lineId: "L1", quantity: 1 }] }))).toEqual({
      lines: [
        {
          lineId: "L1",
          quantity: 1,
          amountMinor: 8_575,
          coinsMinor: 251,
          // a third of K1 (750) and CS (250); of CP (175) and the coins (251)
          shopFundedMinor: 1_000,
          platformFundedMinor: 426,
        },
      ],
      goodsMinor: 8_575,
      shippingMinor: 0,
      totalMinor: 8_575,
      // floor(30 x 251 / 1 001) = 7
      coins: 7,
      couponIds: [],
      wholeOrder: false,
    });
  });

  it("refunds the rest before shipment with shipping, the shop coupon and the remaining coins", () => {
    const { order, coinsReturned } = afterOneUnit();
    const rest = planRefund(input({ order, coinsReturned, request: REST }));
    expect(rest).toEqual({
      lines: [
        {
          lineId: "L1",
          quantity: 2,
          amountMinor: 17_149,
          coinsMinor: 500,
          shopFundedMinor: 2_000,
          platformFundedMinor: 850,
        },
        {
          lineId: "L2",
          quantity: 1,
          amountMinor: 4_287,
          coinsMinor: 125,
          shopFundedMinor: 500,
          platformFundedMinor: 213,
        },
        {
          lineId: "L3",
          quantity: 2,
          amountMinor: 4_288,
          coinsMinor: 125,
          shopFundedMinor: 500,
          platformFundedMinor: 212,
        },
      ],
      goodsMinor: 25_724,
      shippingMinor: 1_000,
      totalMinor: 26_724,
      coins: 23,
      couponIds: ["CS"],
      wholeOrder: true,
    });
    const done = applyRefund(order, rest);
    expect(done.amounts.refundedMinor).toBe(35_299);
    expect(done.lines.map((l) => [l.refundedQuantity, l.refundedMinor])).toEqual([
      [3, 25_724],
      [1, 4_287],
      [2, 4_288],
    ]);
    expect(coinsReturned + rest.coins).toBe(30);
  });

  it("gives the platform coupon back too when this child is the last one holding it", () => {
    const { order, coinsReturned } = afterOneUnit();
    const rest = planRefund(input({ order, coinsReturned, request: REST, holdsPlatformCoupon: true }));
    expect(rest.couponIds).toEqual(["CS", "CP"]);
  });

  it("keeps shipping and coupons once a package has shipped, but still returns every coin", () => {
    const { order, coinsReturned } = afterOneUnit();
    const rest = planRefund(
      input({ order, coinsReturned, request: REST, shipped: true, holdsPlatformCoupon: true }),
    );
    expect(rest).toMatchObject({ goodsMinor: 25_724, shippingMinor: 0, totalMinor: 25_724, couponIds: [] });
    expect(rest.coins).toBe(23);
    expect(rest.wholeOrder).toBe(true);
  });

  it("refunds the whole order in one go: the payable amount, every coin and the coupons", () => {
    const whole = planRefund(input({ request: [...REST.slice(1), { lineId: "L1", quantity: 3 }] }));
    expect(whole).toMatchObject({
      goodsMinor: 34_299,
      shippingMinor: 1_000,
      totalMinor: 35_299,
      coins: 30,
      couponIds: ["CS"],
      wholeOrder: true,
    });
    expect(whole.lines.map((l) => l.lineId)).toEqual(["L2", "L3", "L1"]);
  });

  it("gives no shipping or coupons for a partial refund, even when every line is touched", () => {
    const partial = planRefund(
      input({
        request: [
          { lineId: "L1", quantity: 3 },
          { lineId: "L2", quantity: 1 },
          { lineId: "L3", quantity: 1 },
        ],
        holdsPlatformCoupon: true,
      }),
    );
    expect(partial).toMatchObject({ goodsMinor: 32_155, shippingMinor: 0, couponIds: [], wholeOrder: false });
    // 751 + 125 + 63 of 1 001 fen: floor(30 x 939 / 1 001) = 28
    expect(partial.coins).toBe(28);
  });

  it("never takes a line past its paid amount, and its last unit returns exactly what is left", () => {
    const order = paidOrder();
    const l1 = order.lines[0] as OrderLine;
    // An earlier refund of one unit took a little more than the unit paid.
    order.lines[0] = { ...l1, refundedQuantity: 1, refundedMinor: 8_600 };
    const second = planRefund(input({ order, request: [{ lineId: "L1", quantity: 1 }] }));
    expect(second.lines[0]?.amountMinor).toBe(8_575);
    const third = planRefund(
      input({ order: applyRefund(order, second), request: [{ lineId: "L1", quantity: 1 }] }),
    );
    expect(third.lines[0]?.amountMinor).toBe(25_724 - 8_600 - 8_575);
  });

  it("returns the coins of a child order without a coins deduction only with the whole refund", () => {
    const order = paidOrder();
    order.lines = order.lines.map((l) => ({
      ...l,
      allocations: l.allocations.filter((a) => a.kind !== "COINS"),
    }));
    expect(planRefund(input({ order, request: [{ lineId: "L1", quantity: 3 }], childCoins: 5 })).coins).toBe(
      0,
    );
    const whole = [{ lineId: "L1", quantity: 3 }, ...REST.slice(1)];
    expect(planRefund(input({ order, request: whole, childCoins: 5 })).coins).toBe(5);
  });

  it.each([
    [[{ lineId: "L9", quantity: 1 }], "lines[0].lineId"],
    [[{ lineId: "L1", quantity: 0 }], "lines[0].quantity"],
    [[{ lineId: "L1", quantity: -1 }], "lines[0].quantity"],
    [[{ lineId: "L1", quantity: 1.5 }], "lines[0].quantity"],
    [
      [
        { lineId: "L2", quantity: 1 },
        { lineId: "L2", quantity: 1 },
      ],
      "lines[1].lineId",
    ],
    [
      [
        { lineId: "L2", quantity: 1 },
        { lineId: "L1", quantity: 4 },
      ],
      "lines[1].quantity",
    ],
    [[], "lines"],
  ])("refuses %j naming %s", (request, field) => {
    expect(() => planRefund(input({ request }))).toThrow(
      expect.objectContaining({ type: "VALIDATION_FAILED", data: expect.objectContaining({ field }) }),
    );
  });

  it("refuses more units than earlier refunds left", () => {
    const { order } = afterOneUnit();
    expect(() => planRefund(input({ order, request: [{ lineId: "L1", quantity: 3 }] }))).toThrow(
      expect.objectContaining({ data: { field: "lines[0].quantity", remaining: 2 } }),
    );
  });
});

describe("refundableUnits", () => {
  it("counts per line the units not refunded yet", () => {
    expect(refundableUnits(afterOneUnit().order)).toEqual(
      new Map([
        ["L1", 2],
        ["L2", 1],
        ["L3", 2],
      ]),
    );
  });
});
