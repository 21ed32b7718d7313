import fc from "fast-check";
import { coinsByChild, shopCouponsOf } from "../../../services/order/domain/holds";
import { amountsAddUp, buildOrders, type ChildOrder } from "../../../services/order/domain/order";
import { DEFAULT_ORDER_TIMERS } from "../../../services/order/domain/order-config";
import {
  applyRefund,
  planRefund,
  type RefundPlan,
  type RefundRequestLine,
  refundableUnits,
} from "../../../services/order/domain/refund-plan";
import { priceCheckout } from "../../../services/promotion/domain/price-checkout";
import type { SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { PriceResult } from "../../../shared/contracts/promotion.contract";
import { allocate } from "../../../shared/money";
import { pricingInputs } from "../promotion/arbitraries";
import { NOW } from "../promotion/fixtures";

const RUNS = { numRuns: 1_500 };

/** A checkout priced by the promotion domain, or null when pricing refuses the random cart. */
function priced(cart: Parameters<typeof priceCheckout>[0]): PriceResult | null {
  try {
    return priceCheckout(cart, NOW);
  } catch {
    return null;
  }
}

/** The paid child orders of a priced checkout, built exactly as checkout builds them. */
function paidChildren(price: PriceResult): ChildOrder[] {
  const lines = price.shops.flatMap((shop) => shop.lines);
  const skus = new Map(
    lines.map((l) => [
      l.skuId,
      { skuId: l.skuId, shopId: l.shopId, title: l.skuId, spec: "", priceMinor: l.unitPriceMinor } as SkuInfo,
    ]),
  );
  const { children } = buildOrders({
    parentOrderNo: "15250601000000000001",
    orderNoByShop: new Map(price.shops.map((shop, i) => [shop.shopId, `1125060100000000001${i}`])),
    buyerId: "B1",
    sourceChannel: "APP",
    address: { name: "Li", phone: "13800000000", province: "P", city: "C", district: "D", detail: "1" },
    invoice: null,
    buyerNote: null,
    now: NOW,
    timers: DEFAULT_ORDER_TIMERS,
    paymentDeadline: NOW,
    price,
    skus,
    reservedLines: new Map(
      lines.map((l) => [
        l.lineId,
        {
          lineId: l.lineId,
          skuId: l.skuId,
          warehouseId: "W1",
          quantity: l.quantity,
          strategy: l.deductionStrategy,
        },
      ]),
    ),
    positions: new Map(lines.map((l, i) => [l.lineId, i])),
  });
  return children.map((child) => ({
    ...child,
    status: "AWAITING_SHIPMENT",
    paidAt: NOW,
    amounts: { ...child.amounts, paidMinor: child.amounts.payableMinor },
  }));
}

/** One random refund: which refundable lines (by position among them) and how many of their units. */
const refundStep = fc.array(fc.record({ pick: fc.nat(), units: fc.nat() }), { minLength: 1, maxLength: 4 });

const scenarios = fc
  .record({
    cart: pricingInputs,
    child: fc.nat(),
    steps: fc.array(refundStep, { maxLength: 6 }),
    finish: fc.boolean(),
    shipped: fc.boolean(),
    holdsPlatformCoupon: fc.boolean(),
  })
  .map((s) => ({ ...s, price: priced(s.cart) }))
  .filter((s) => s.price !== null)
  .map((s) => {
    const price = s.price as PriceResult;
    const children = paidChildren(price);
    const order = children[s.child % children.length] as ChildOrder;
    const childCoins = coinsByChild(price.coinsUsed, children).get(order.orderNo) ?? 0;
    return { ...s, order, childCoins };
  });

/** Turns a random step into a valid request against what is still refundable (empty when nothing is). */
function requestOf(order: ChildOrder, step: { pick: number; units: number }[]): RefundRequestLine[] {
  const request = new Map<string, number>();
  for (const { pick, units } of step) {
    const open = [...refundableUnits(order)].filter(([lineId, left]) => left > 0 && !request.has(lineId));
    const chosen = open[pick % Math.max(1, open.length)];
    if (chosen) request.set(chosen[0], 1 + (units % chosen[1]));
  }
  return [...request].map(([lineId, quantity]) => ({ lineId, quantity }));
}

/** The rest of every line. */
const everythingLeft = (order: ChildOrder): RefundRequestLine[] =>
  [...refundableUnits(order)]
    .filter(([, left]) => left > 0)
    .map(([lineId, quantity]) => ({ lineId, quantity }));

const coinsDeduction = (order: ChildOrder) =>
  order.lines
    .flatMap((l) => l.allocations)
    .filter((a) => a.kind === "COINS")
    .reduce((s, a) => s + a.amountMinor, 0);

describe("planRefund over random checkouts and refund sequences", () => {
  it("never refunds more than was paid, and a full refund returns exactly the paid amount and coins", () => {
    let full = 0;
    fc.assert(
      fc.property(scenarios, ({ order: start, steps, finish, shipped, holdsPlatformCoupon, childCoins }) => {
        expect(amountsAddUp(start)).toBe(true);
        const paidGoods = start.lines.reduce((sum, l) => sum + l.paidMinor, 0);
        const requests = steps.map((step) => (order: ChildOrder) => requestOf(order, step));
        if (finish) requests.push(everythingLeft);
        let order = start;
        let coinsReturned = 0;
        let shippingBack = 0;
        let couponPlans = 0;
        const plans: RefundPlan[] = [];
        for (const next of requests) {
          const request = next(order);
          if (request.length === 0) break;
          const input = { order, request, childCoins, coinsReturned, shipped, holdsPlatformCoupon };
          const plan = planRefund(input);
          // Deterministic, and the input is left as it was.
          expect(planRefund(structuredClone(input))).toEqual(plan);
          for (const planned of plan.lines) {
            const line = start.lines.find((l) => l.lineId === planned.lineId);
            const before = order.lines.find((l) => l.lineId === planned.lineId);
            if (!line || !before) throw new Error("planned line not in the order");
            const from = before.refundedQuantity;
            const units = line.unitPaidMinor.slice(from, from + planned.quantity);
            // What exactly those units paid, and their share of the line's coins.
            expect(planned.amountMinor).toBe(units.reduce((s, u) => s + u, 0));
            const unitCoins = allocate(
              line.allocations.filter((a) => a.kind === "COINS").reduce((s, a) => s + a.amountMinor, 0),
              Array(line.quantity).fill(1),
            );
            expect(planned.coinsMinor).toBe(
              unitCoins.slice(from, from + planned.quantity).reduce((s, c) => s + c, 0),
            );
          }
          expect(plan.goodsMinor).toBe(plan.lines.reduce((s, l) => s + l.amountMinor, 0));
          expect(plan.totalMinor).toBe(plan.goodsMinor + plan.shippingMinor);
          expect(plan.coins).toBeGreaterThanOrEqual(0);
          if (!plan.wholeOrder || shipped) {
            expect(plan.shippingMinor).toBe(0);
            expect(plan.couponIds).toEqual([]);
          } else {
            expect(plan.shippingMinor).toBe(start.amounts.shippingFeeMinor);
            const platform = start.lines
              .flatMap((l) => l.allocations)
              .filter((a) => a.kind === "PLATFORM_COUPON")
              .map((a) => a.sourceId);
            const expected = [
              ...new Set([...shopCouponsOf(start), ...(holdsPlatformCoupon ? platform : [])]),
            ];
            expect(plan.couponIds).toEqual(expected);
          }
          shippingBack += plan.shippingMinor;
          couponPlans += plan.couponIds.length > 0 ? 1 : 0;
          coinsReturned += plan.coins;
          order = applyRefund(order, plan);
          plans.push(plan);

          for (const line of order.lines) {
            const paid = start.lines.find((l) => l.lineId === line.lineId)?.paidMinor ?? 0;
            expect(line.refundedMinor).toBeLessThanOrEqual(paid);
            expect(line.refundedQuantity).toBeLessThanOrEqual(line.quantity);
          }
          const refundedGoods = order.lines.reduce((sum, l) => sum + l.refundedMinor, 0);
          expect(refundedGoods).toBeLessThanOrEqual(paidGoods);
          expect(order.amounts.refundedMinor).toBe(refundedGoods + shippingBack);
          expect(coinsReturned).toBeLessThanOrEqual(childCoins);
          // Pro rata and exact: floor(C x refunded coins deduction / whole coins deduction).
          const refundedCoinsMinor = plans.flatMap((p) => p.lines).reduce((s, l) => s + l.coinsMinor, 0);
          const deduction = coinsDeduction(start);
          if (deduction > 0) {
            expect(coinsReturned).toBe(
              Number((BigInt(childCoins) * BigInt(refundedCoinsMinor)) / BigInt(deduction)),
            );
          }
        }
        const whole = order.lines.every((l) => l.refundedQuantity === l.quantity);
        expect(plans.filter((p) => p.wholeOrder)).toHaveLength(whole ? 1 : 0);
        expect(couponPlans).toBeLessThanOrEqual(1);
        if (whole) {
          full++;
          for (const line of order.lines) {
            expect(line.refundedMinor).toBe(start.lines.find((l) => l.lineId === line.lineId)?.paidMinor);
          }
          expect(order.amounts.refundedMinor).toBe(
            shipped
              ? start.amounts.payableMinor - start.amounts.shippingFeeMinor
              : start.amounts.payableMinor,
          );
          expect(coinsReturned).toBe(childCoins);
        }
      }),
      RUNS,
    );
    // The sequences must reach full refunds often, not only partial ones.
    expect(full).toBeGreaterThan(RUNS.numRuns * 0.3);
  });

  it("refuses a request for more units than remain, whatever came before", () => {
    fc.assert(
      fc.property(
        scenarios,
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        ({ order, steps, childCoins }, pick, extra) => {
          let current = order;
          let coinsReturned = 0;
          for (const step of steps) {
            const request = requestOf(current, step);
            if (request.length === 0) break;
            const plan = planRefund({
              order: current,
              request,
              childCoins,
              coinsReturned,
              shipped: false,
              holdsPlatformCoupon: false,
            });
            coinsReturned += plan.coins;
            current = applyRefund(current, plan);
          }
          const line = current.lines[pick % current.lines.length];
          if (!line) return;
          const tooMany = [{ lineId: line.lineId, quantity: line.quantity - line.refundedQuantity + extra }];
          expect(() =>
            planRefund({
              order: current,
              request: tooMany,
              childCoins,
              coinsReturned,
              shipped: false,
              holdsPlatformCoupon: false,
            }),
          ).toThrow(
            expect.objectContaining({
              type: "VALIDATION_FAILED",
              data: expect.objectContaining({ field: "lines[0].quantity" }),
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
