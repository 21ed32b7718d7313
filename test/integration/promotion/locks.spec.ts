import type { Pool } from "pg";
import type { LockResult } from "../../../shared/contracts/promotion.contract";
import { startSystem, type TestSystem } from "../../support/system";
import { callLocal, outcomeOf, promotionPool, tag } from "./helpers";

const DAY = 86_400_000;

describe("promotion locks against PostgreSQL", () => {
  let system: TestSystem;
  let pool: Pool;
  const t = tag();
  const shop = `S-${t}`;
  const template = `T-${t}`;
  const lock = (params: object) => callLocal<LockResult>(system, "promotion.lock", params);
  const unlock = (lockId: string) =>
    callLocal<LockResult>(system, "promotion.unlock", { lockId, reason: "test" });

  /** A fresh buyer with `coins` coins and `coupons` coupons of the shop template. */
  async function buyer(
    name: string,
    coins: number,
    coupons = 1,
  ): Promise<{ buyerId: string; couponIds: string[] }> {
    const buyerId = `${name}-${t}`;
    if (coins > 0)
      await callLocal(system, "promotion.adjustCoins", { userId: buyerId, delta: coins, reason: "grant" });
    const couponIds: string[] = [];
    for (let i = 0; i < coupons; i++) {
      const issued = await callLocal(system, "promotion.issueCoupon", {
        templateId: template,
        userId: buyerId,
      });
      couponIds.push(issued.couponId);
    }
    return { buyerId, couponIds };
  }

  const balanceOf = async (userId: string) =>
    Number(
      (await pool.query("SELECT balance FROM coins_account WHERE user_id = $1", [userId])).rows[0]?.balance ??
        0,
    );
  const ledgerOf = async (userId: string) =>
    Number(
      (await pool.query("SELECT COALESCE(SUM(delta), 0) AS s FROM coins_entry WHERE user_id = $1", [userId]))
        .rows[0].s,
    );
  const couponRow = async (couponId: string) =>
    (await pool.query("SELECT status, lock_id FROM coupon WHERE coupon_id = $1", [couponId])).rows[0];

  beforeAll(async () => {
    system = await startSystem(["promotion"]);
    pool = promotionPool();
    await callLocal(system, "promotion.createCouponTemplate", {
      templateId: template,
      scope: "SHOP",
      shopId: shop,
      thresholdMinor: 0,
      discountMinor: 500,
      validFrom: new Date(Date.now() - DAY).toISOString(),
      validTo: new Date(Date.now() + DAY).toISOString(),
    });
  });
  afterAll(async () => {
    await pool.end();
    await system.stop();
  });

  it("locks coupons and holds coins once, however often the same lock is retried", async () => {
    const { buyerId, couponIds } = await buyer("b1", 1_000);
    const params = { lockId: `P1-${t}`, buyerId, couponIds, coins: 300 };
    const first = await lock(params);
    const again = await lock(params);
    expect(first).toMatchObject({ status: "HELD", coins: 300, couponIds, changed: true });
    expect(again).toMatchObject({ status: "HELD", changed: false });
    expect(await balanceOf(buyerId)).toBe(700);
    expect(await ledgerOf(buyerId)).toBe(700);
    expect(await couponRow(couponIds[0] as string)).toEqual({ status: "LOCKED", lock_id: `P1-${t}` });
    await expect(lock({ ...params, coins: 200 })).rejects.toMatchObject({ type: "CONFLICT" });
  });

  it("gives a coupon to exactly one of two checkouts racing for it", async () => {
    const { buyerId, couponIds } = await buyer("b2", 0);
    const outcomes = await Promise.allSettled(
      ["A", "B", "C", "D"].map((n) => lock({ lockId: `race-${n}-${t}`, buyerId, couponIds, coins: 0 })),
    );
    expect(outcomes.map(outcomeOf).sort()).toEqual([
      "COUPON_UNAVAILABLE",
      "COUPON_UNAVAILABLE",
      "COUPON_UNAVAILABLE",
      "OK",
    ]);
    const winner = outcomes.findIndex((o) => o.status === "fulfilled");
    expect((await couponRow(couponIds[0] as string)).lock_id).toBe(`race-${"ABCD"[winner]}-${t}`);
  });

  it("never lets concurrent locks take the coins balance below zero", async () => {
    const { buyerId } = await buyer("b3", 1_000, 0);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        lock({ lockId: `coins-${i}-${t}`, buyerId, couponIds: [], coins: 300 }),
      ),
    );
    const types = outcomes.map(outcomeOf);
    expect(types.filter((x) => x === "OK")).toHaveLength(3);
    expect(types.filter((x) => x === "INSUFFICIENT_COINS")).toHaveLength(7);
    expect(await balanceOf(buyerId)).toBe(100);
    expect(await ledgerOf(buyerId)).toBe(100);
  });

  it("returns coupons and coins on unlock, once", async () => {
    const { buyerId, couponIds } = await buyer("b4", 500);
    const lockId = `P4-${t}`;
    await lock({ lockId, buyerId, couponIds, coins: 500 });
    expect(await balanceOf(buyerId)).toBe(0);
    expect(await unlock(lockId)).toMatchObject({ status: "RELEASED", changed: true });
    expect(await unlock(lockId)).toMatchObject({ status: "RELEASED", changed: false });
    expect(await balanceOf(buyerId)).toBe(500);
    expect(await couponRow(couponIds[0] as string)).toEqual({ status: "AVAILABLE", lock_id: null });
    const entries = await pool.query(
      "SELECT kind, delta FROM coins_entry WHERE user_id = $1 ORDER BY entry_id",
      [buyerId],
    );
    expect(entries.rows).toEqual([
      { kind: "ADJUST", delta: 500 },
      { kind: "HOLD", delta: -500 },
      { kind: "RELEASE", delta: 500 },
    ]);
    // The coupon can be locked again by another checkout.
    await expect(lock({ lockId: `P4b-${t}`, buyerId, couponIds, coins: 0 })).resolves.toMatchObject({
      changed: true,
    });
  });

  it("holds nothing when a lock arrives after its own compensation", async () => {
    const { buyerId, couponIds } = await buyer("b5", 100);
    const lockId = `late-${t}`;
    expect(await unlock(lockId)).toMatchObject({ status: "RELEASED", changed: false });
    await expect(lock({ lockId, buyerId, couponIds, coins: 100 })).rejects.toMatchObject({
      type: "INVALID_TRANSITION",
    });
    expect(await balanceOf(buyerId)).toBe(100);
    expect((await couponRow(couponIds[0] as string)).status).toBe("AVAILABLE");
  });

  it("returns everything when an unlock races its own lock", async () => {
    const { buyerId, couponIds } = await buyer("b8", 400);
    for (const n of [1, 2, 3, 4, 5]) {
      const lockId = `race-unlock-${n}-${t}`;
      // Whichever comes first, the unlock wins: the lock is refused or undone.
      await Promise.allSettled([lock({ lockId, buyerId, couponIds, coins: 400 }), unlock(lockId)]);
      const status = await pool.query("SELECT status FROM promotion_lock WHERE lock_id = $1", [lockId]);
      expect(status.rows).toEqual([{ status: "RELEASED" }]);
      expect(await balanceOf(buyerId)).toBe(400);
      expect(await ledgerOf(buyerId)).toBe(400);
      expect(await couponRow(couponIds[0] as string)).toEqual({ status: "AVAILABLE", lock_id: null });
    }
  });

  it("redeems a paid checkout's coupons once and refuses to unlock them afterwards", async () => {
    const { buyerId, couponIds } = await buyer("b6", 0);
    const lockId = `P6-${t}`;
    await lock({ lockId, buyerId, couponIds, coins: 0 });
    const redeem = () => callLocal<LockResult>(system, "promotion.redeem", { lockId });
    expect(await redeem()).toMatchObject({ status: "REDEEMED", changed: true });
    expect(await redeem()).toMatchObject({ status: "REDEEMED", changed: false });
    expect((await couponRow(couponIds[0] as string)).status).toBe("USED");
    await expect(unlock(lockId)).rejects.toMatchObject({ type: "INVALID_TRANSITION" });
    await expect(callLocal(system, "promotion.redeem", { lockId: `none-${t}` })).rejects.toMatchObject({
      type: "NOT_FOUND",
    });
  });

  it("changes nothing when a lock is refused", async () => {
    const { buyerId } = await buyer("b7", 300, 0);
    const other = await buyer("b7x", 0);
    const lockId = `P7-${t}`;
    await expect(lock({ lockId, buyerId, couponIds: other.couponIds, coins: 300 })).rejects.toMatchObject({
      type: "COUPON_UNAVAILABLE",
    });
    expect(await balanceOf(buyerId)).toBe(300);
    expect((await pool.query("SELECT 1 FROM promotion_lock WHERE lock_id = $1", [lockId])).rowCount).toBe(0);
    await expect(lock({ lockId, buyerId, couponIds: ["missing"], coins: 0 })).rejects.toMatchObject({
      type: "COUPON_NOT_FOUND",
      data: { couponId: "missing" },
    });
  });
});
