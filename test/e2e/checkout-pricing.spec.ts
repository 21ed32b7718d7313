import { CatalogBuilder, expectOk, uniqueId } from "../support/catalog";
import { request } from "../support/http";
import { startSystem, type TestSystem } from "../support/system";

/** Every order's amounts add up: lines, allocations, units, discounts, shipping. */
function expectAmountsAddUp(order: any) {
  const a = order.amounts;
  const discounts =
    a.itemDiscountMinor +
    a.memberDiscountMinor +
    a.shopDiscountMinor +
    a.couponDiscountMinor +
    a.coinsDeductionMinor;
  expect(a.payableMinor).toBe(a.goodsMinor - discounts - (a.priceAdjustmentMinor ?? 0) + a.shippingFeeMinor);
  let linesPaid = 0;
  for (const line of order.lines) {
    const allocated = line.allocations.reduce((s: number, x: any) => s + x.amountMinor, 0);
    expect(line.paidMinor).toBe(line.goodsMinor - allocated);
    expect(line.unitPaidMinor.reduce((s: number, u: number) => s + u, 0)).toBe(line.paidMinor);
    for (const x of line.allocations) expect(x.amountMinor).toBeGreaterThanOrEqual(0);
    linesPaid += line.paidMinor;
  }
  expect(linesPaid).toBe(a.payableMinor - a.shippingFeeMinor);
}

describe("checkout pricing across two merchants", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;

  beforeAll(async () => {
    system = await startSystem();
    catalog = await CatalogBuilder.create(system.baseUrl);
  });
  afterAll(() => system.stop());

  it("creates orders equal to the quote to the fen, with every allocation stored per line", async () => {
    const url = system.baseUrl;
    const { wh, tea, shopCoupon, platformCoupon, buyer, body } = await catalog.twoShopCart();

    const quote = expectOk(
      await request(url, "POST", "/api/v1/checkout/quote", { token: buyer, body }),
      "quote",
    );
    const created = await request(url, "POST", "/api/v1/orders", {
      token: buyer,
      body,
      headers: { "idempotency-key": uniqueId("k") },
    });
    expect(created.status).toBe(201);
    const checkout = created.body;

    expect(checkout.payableMinor).toBe(quote.totals.payableMinor);
    expect(checkout.orders).toHaveLength(2);
    for (const shop of quote.shops) {
      const order = checkout.orders.find((o: any) => o.shopId === shop.shopId);
      expect(order.amounts).toMatchObject(shop.amounts);
      for (const line of shop.lines) {
        const stored = order.lines.find((l: any) => l.lineId === line.lineId);
        expect(stored.allocations).toEqual(line.allocations);
        expect(stored.paidMinor).toBe(line.paidMinor);
        expect(stored.unitPaidMinor).toEqual(line.unitPaidMinor);
      }
    }
    const kinds = new Set(
      checkout.orders.flatMap((o: any) => o.lines.flatMap((l: any) => l.allocations.map((x: any) => x.kind))),
    );
    for (const kind of ["MEMBER_BENEFIT", "SHOP_COUPON", "PLATFORM_COUPON", "COINS"])
      expect(kinds).toContain(kind);

    for (const summary of checkout.orders) {
      const detail = expectOk(
        await request(url, "GET", `/api/v1/orders/${summary.orderNo}`, { token: buyer }),
        "detail",
      );
      expect(detail.status).toBe("PENDING_PAYMENT");
      expect(detail.viewStatus).toBe("TO_PAY");
      expect(detail.actions).toEqual(expect.arrayContaining(["PAY", "CANCEL"]));
      expect(detail.amounts).toEqual(summary.amounts);
      expectAmountsAddUp(detail);
    }

    const parent = expectOk(
      await request(url, "GET", `/api/v1/parent-orders/${checkout.parentOrderNo}`, { token: buyer }),
      "parent",
    );
    expect(parent.payableMinor).toBe(checkout.payableMinor);

    const coupons = expectOk(await request(url, "GET", "/api/v1/me/coupons", { token: buyer }), "coupons");
    const statuses = Object.fromEntries((coupons.items ?? coupons).map((c: any) => [c.couponId, c.status]));
    expect(statuses[shopCoupon]).toBe("LOCKED");
    expect(statuses[platformCoupon]).toBe("LOCKED");
    const member = expectOk(await request(url, "GET", "/api/v1/me/member", { token: buyer }), "member");
    expect(member.coins).toBe(4_000);

    const stock = await catalog.stock(tea);
    expect(stock.find((s) => s.warehouseId === wh)).toMatchObject({
      onHand: 100,
      reserved: 2,
      available: 98,
    });
  });
});
