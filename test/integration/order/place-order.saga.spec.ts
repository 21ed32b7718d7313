import type { Pool } from "pg";
import type { CheckoutCommand } from "../../../services/order/domain/checkout";
import type { OrderService } from "../../../services/order/order.service";
import { sweep } from "../../../services/order/order-commands";
import { STALE_SAGA_MS } from "../../../services/order/order-deps";
import { type PlaceOrderDeps, placeOrder } from "../../../services/order/saga/place-order.saga";
import { OmsError } from "../../../shared/errors";
import { SagaFailed } from "../../../shared/saga/saga";
import { address, CatalogBuilder, expectOk, uniqueId } from "../../support/catalog";
import { devToken, request } from "../../support/http";
import { startSystem, type TestSystem, waitFor } from "../../support/system";

/** Each step of the checkout saga fails once; every earlier effect must be undone. */
describe("place-order saga compensation", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;
  let deps: PlaceOrderDeps;
  let pool: Pool;
  let orderService: OrderService;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
    orderService = system.broker.getLocalService("order") as unknown as OrderService;
    deps = orderService.deps;
    pool = orderService.pool;
  });
  afterAll(() => system.stop());

  /** Two shops, a coupon, coins: every kind of hold a checkout takes. */
  async function scenario() {
    const wh = await catalog.warehouse(["Fujian"]);
    const shopA = uniqueId("shopA");
    const shopB = uniqueId("shopB");
    const buyerId = uniqueId("buyer");
    const skuA = await catalog.sku({ shopId: shopA, priceMinor: 30_000, stock: { [wh]: 5 } });
    const skuB = await catalog.sku({ shopId: shopB, priceMinor: 20_000, stock: { [wh]: 5 } });
    const tpl = await catalog.couponTemplate({
      scope: "PLATFORM",
      thresholdMinor: 10_000,
      discountMinor: 1_000,
    });
    const couponId = await catalog.issueCoupon(tpl, buyerId);
    await catalog.member(buyerId, "NORMAL", 3_000);
    const token = await devToken(url, buyerId, "buyer");
    const cmd: CheckoutCommand = {
      buyerId,
      lines: [
        { skuId: skuA, quantity: 2 },
        { skuId: skuB, quantity: 1 },
      ],
      address: address("Fujian"),
      couponIds: [couponId],
      coins: 1_000,
      sourceChannel: "APP",
      orderType: "STANDARD",
      invoice: null,
      buyerNote: null,
      now: new Date(),
      requestId: null,
    };
    return { wh, skuA, skuB, couponId, token, buyerId, cmd };
  }

  type Scenario = Awaited<ReturnType<typeof scenario>>;

  async function expectNothingHeld(s: Scenario) {
    for (const sku of [s.skuA, s.skuB]) {
      expect((await catalog.stock(sku)).find((x) => x.warehouseId === s.wh)).toMatchObject({
        reserved: 0,
        available: 5,
      });
    }
    const coupons = expectOk(await request(url, "GET", "/api/v1/me/coupons", { token: s.token }), "coupons");
    expect((coupons.items ?? coupons).find((c: any) => c.couponId === s.couponId).status).toBe("AVAILABLE");
    expect(expectOk(await request(url, "GET", "/api/v1/me/member", { token: s.token }), "member").coins).toBe(
      3_000,
    );
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM orders WHERE buyer_id = $1", [
      s.buyerId,
    ]);
    expect(rows[0].n).toBe(0);
  }

  const sagaRows = async (s: Scenario) =>
    (await pool.query("SELECT status, error FROM place_order_sagas WHERE buyer_id = $1", [s.buyerId])).rows;

  /** The saga is still RUNNING; once it is stale, the sweeper undoes the checkout and records why. */
  async function expectSweeperUndoes(s: Scenario) {
    expect(await sagaRows(s)).toEqual([{ status: "RUNNING", error: null }]);
    await sweep(orderService, new Date(Date.now() + STALE_SAGA_MS + 1_000));
    await expectNothingHeld(s);
    expect(await sagaRows(s)).toEqual([
      { status: "COMPENSATED", error: "abandoned midway, undone by the sweeper" },
    ]);
  }

  /** A reserve that holds the first shop's stock and fails for the second. */
  function failingSecondReserve(): PlaceOrderDeps["reserve"] {
    let calls = 0;
    return async (p) => {
      calls += 1;
      if (calls === 2) throw new Error("reservation service lost");
      return deps.reserve(p);
    };
  }

  const failAt = (name: string) => (step: string) => {
    if (step === name) throw new Error(`injected failure at ${name}`);
  };

  it.each(["load-skus", "price-cart", "open-saga", "reserve-stock", "lock-promotions", "persist-order"])(
    "undoes every earlier effect when %s fails",
    async (step) => {
      const s = await scenario();
      await expect(placeOrder(deps, s.cmd, failAt(step))).rejects.toThrow(`injected failure at ${step}`);
      await expectNothingHeld(s);
      // Undone completely in the request: nothing is left for the sweeper, nor kept.
      expect(await sagaRows(s)).toEqual([]);
    },
  );

  it("releases the first shop's stock when the second shop's reservation fails", async () => {
    const s = await scenario();
    const flaky: PlaceOrderDeps = { ...deps, reserve: failingSecondReserve() };
    await expect(placeOrder(flaky, s.cmd)).rejects.toThrow("reservation service lost");
    await expectNothingHeld(s);
  });

  it("unlocks coupons and coins when the lock happened but its answer was lost", async () => {
    const s = await scenario();
    const lossy: PlaceOrderDeps = {
      ...deps,
      lock: async (p) => {
        await deps.lock(p);
        throw new Error("answer lost");
      },
    };
    await expect(placeOrder(lossy, s.cmd)).rejects.toThrow("answer lost");
    await expectNothingHeld(s);
    expect(await sagaRows(s)).toEqual([]);
  });

  it("leaves a checkout whose undo failed to the sweeper", async () => {
    const s = await scenario();
    const failing: PlaceOrderDeps = {
      ...deps,
      lock: async () => Promise.reject(new Error("coupon service lost")),
      release: async () => Promise.reject(new Error("inventory lost")),
    };
    const err = await placeOrder(failing, s.cmd).catch((e) => e);
    expect(err).toBeInstanceOf(SagaFailed);
    expect(err.step).toBe("lock-promotions");
    expect(err.compensationErrors.map((e: { step: string }) => e.step)).toEqual(["reserve-stock"]);
    // The stock is still held, and the saga stays RUNNING so that it is not forgotten.
    expect((await catalog.stock(s.skuA)).find((x) => x.warehouseId === s.wh)).toMatchObject({ reserved: 2 });
    await expectSweeperUndoes(s);
  });

  it("leaves the checkout to the sweeper when the reserve step cannot undo its own partial reservation", async () => {
    const s = await scenario();
    const failing: PlaceOrderDeps = {
      ...deps,
      reserve: failingSecondReserve(),
      release: async () => Promise.reject(new Error("inventory lost")),
    };
    const err = await placeOrder(failing, s.cmd).catch((e) => e);
    expect(err).toBeInstanceOf(SagaFailed);
    expect(err.cause.message).toBe("reservation service lost");
    expect(err.compensationErrors.map((e: { step: string }) => e.step)).toEqual(["reserve-stock"]);
    await expectSweeperUndoes(s);
  });

  it("answers the failing step's error over HTTP even when an undo failed", async () => {
    const s = await scenario();
    const real = orderService.deps;
    orderService.deps = {
      ...real,
      lock: async () =>
        Promise.reject(new OmsError("COUPON_UNAVAILABLE", "Coupon is in use", { couponId: s.couponId })),
      release: async () => Promise.reject(new Error("inventory lost")),
    };
    try {
      const res = await request(url, "POST", "/api/v1/orders", {
        token: s.token,
        body: {
          lines: s.cmd.lines,
          address: s.cmd.address,
          couponIds: s.cmd.couponIds,
          coins: s.cmd.coins,
          sourceChannel: "APP",
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: "COUPON_UNAVAILABLE", details: { couponId: s.couponId } });
    } finally {
      orderService.deps = real;
    }
    await expectSweeperUndoes(s);
  });

  it("lets the sweeper undo a checkout whose process died holding stock, coupons and coins", async () => {
    const s = await scenario();
    // The process dies while writing the order: the write never answers, so nothing is undone in process.
    const dying: PlaceOrderDeps = { ...deps, writeCheckout: () => new Promise<void>(() => undefined) };
    void placeOrder(dying, s.cmd);
    await waitFor("the coupon locked", async () => {
      const coupons = expectOk(
        await request(url, "GET", "/api/v1/me/coupons", { token: s.token }),
        "coupons",
      );
      return (coupons.items ?? coupons).find((c: any) => c.couponId === s.couponId).status !== "AVAILABLE";
    });
    expect(await sagaRows(s)).toEqual([{ status: "RUNNING", error: null }]);
    // Not yet stale: a request could still be working on it.
    await sweep(orderService, new Date());
    await expectSweeperUndoes(s);
  });

  it("keeps the order when only arming the timer fails: the sweeper closes it on time", async () => {
    const s = await scenario();
    const noTimer: PlaceOrderDeps = {
      ...deps,
      schedulePaymentTimeout: async () => Promise.reject(new Error("redis down")),
    };
    const { parent, children } = await placeOrder(noTimer, s.cmd);
    expect(children).toHaveLength(2);
    expect(children.every((c) => c.status === "PENDING_PAYMENT")).toBe(true);
    // The order's own statement deleted its saga: nothing reads a finished checkout's saga.
    const sagas = await pool.query("SELECT status FROM place_order_sagas WHERE parent_order_no = $1", [
      parent.parentOrderNo,
    ]);
    expect(sagas.rows).toEqual([]);
    await sweep(orderService, new Date(parent.paymentDeadline.getTime() + 1_000));
    const { rows } = await pool.query("SELECT status, close_reason FROM orders WHERE parent_order_no = $1", [
      parent.parentOrderNo,
    ]);
    expect(rows).toEqual([
      { status: "CLOSED", close_reason: "PAYMENT_TIMEOUT" },
      { status: "CLOSED", close_reason: "PAYMENT_TIMEOUT" },
    ]);
  });
});
