import type { Pool } from "pg";
import type { LockResult, ReleasePartResult } from "../../../shared/contracts/promotion.contract";
import { startSystem, type TestSystem, waitFor } from "../../support/system";
import { callLocal, outcomeOf, promotionPool, tag } from "./helpers";

const DAY = 86_400_000;

describe("promotion lock parts against PostgreSQL", () => {
  let system: TestSystem;
  let pool: Pool;
  const t = tag();
  const lock = (params: object) => callLocal<LockResult>(system, "promotion.lock", params);
  const unlock = (lockId: string) =>
    callLocal<LockResult>(system, "promotion.unlock", { lockId, reason: "test" });
  const redeem = (lockId: string) => callLocal<LockResult>(system, "promotion.redeem", { lockId });
  const releasePart = (lockId: string, partId: string, couponIds: string[], coins: number) =>
    callLocal<ReleasePartResult>(system, "promotion.releasePart", {
      lockId,
      partId,
      couponIds,
      coins,
      reason: "MERCHANT_CANCELLED",
    });

  /** A buyer with coins, a shop coupon and a platform coupon, all locked under one checkout's lock. */
  async function lockedCheckout(name: string, coins: number) {
    const buyerId = `${name}-${t}`;
    if (coins > 0)
      await callLocal(system, "promotion.adjustCoins", { userId: buyerId, delta: coins, reason: "grant" });
    const issue = async (templateId: string) =>
      (await callLocal(system, "promotion.issueCoupon", { templateId, userId: buyerId })).couponId as string;
    const shopCoupon = await issue(`TS-${t}`);
    const platformCoupon = await issue(`TP-${t}`);
    const lockId = `${name}-lock-${t}`;
    await lock({ lockId, buyerId, couponIds: [shopCoupon, platformCoupon], coins });
    return { buyerId, shopCoupon, platformCoupon, lockId };
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
  const entriesOf = async (userId: string) =>
    (
      await pool.query("SELECT kind, delta, part_id FROM coins_entry WHERE user_id = $1 ORDER BY entry_id", [
        userId,
      ])
    ).rows;
  const couponRow = async (couponId: string) =>
    (await pool.query("SELECT status, lock_id FROM coupon WHERE coupon_id = $1", [couponId])).rows[0];
  const lockRow = async (lockId: string) =>
    (await pool.query("SELECT status, coins, coupon_ids FROM promotion_lock WHERE lock_id = $1", [lockId]))
      .rows[0];

  beforeAll(async () => {
    system = await startSystem(["promotion"]);
    pool = promotionPool();
    const window = {
      thresholdMinor: 0,
      discountMinor: 500,
      validFrom: new Date(Date.now() - DAY).toISOString(),
      validTo: new Date(Date.now() + DAY).toISOString(),
    };
    await callLocal(system, "promotion.createCouponTemplate", {
      templateId: `TS-${t}`,
      scope: "SHOP",
      shopId: `S-${t}`,
      ...window,
    });
    await callLocal(system, "promotion.createCouponTemplate", {
      templateId: `TP-${t}`,
      scope: "PLATFORM",
      ...window,
    });
  });
  afterAll(async () => {
    await pool.end();
    await system.stop();
  });

  it("releases a part once however often it is asked, and unlock then returns only the rest", async () => {
    const c = await lockedCheckout("p1", 1_000);
    const first = await releasePart(c.lockId, "child-A", [c.shopCoupon], 300);
    const again = await releasePart(c.lockId, "child-A", [c.shopCoupon], 300);
    expect(first).toEqual({
      lockId: c.lockId,
      partId: "child-A",
      status: "HELD",
      couponIds: [c.shopCoupon],
      coins: 300,
      changed: true,
    });
    expect(again).toEqual({ ...first, changed: false });
    expect(await balanceOf(c.buyerId)).toBe(300);
    expect(await couponRow(c.shopCoupon)).toEqual({ status: "AVAILABLE", lock_id: null });
    expect(await couponRow(c.platformCoupon)).toEqual({ status: "LOCKED", lock_id: c.lockId });
    expect(await lockRow(c.lockId)).toEqual({ status: "HELD", coins: 700, coupon_ids: [c.platformCoupon] });

    expect(await unlock(c.lockId)).toMatchObject({
      status: "RELEASED",
      coins: 700,
      couponIds: [c.platformCoupon],
    });
    expect(await balanceOf(c.buyerId)).toBe(1_000);
    expect(await ledgerOf(c.buyerId)).toBe(1_000);
    expect(await couponRow(c.platformCoupon)).toEqual({ status: "AVAILABLE", lock_id: null });
    expect(await entriesOf(c.buyerId)).toEqual([
      { kind: "ADJUST", delta: 1_000, part_id: null },
      { kind: "HOLD", delta: -1_000, part_id: null },
      { kind: "PART_RELEASE", delta: 300, part_id: "child-A" },
      { kind: "RELEASE", delta: 700, part_id: null },
    ]);
  });

  it("gives each part its own ledger entry", async () => {
    const c = await lockedCheckout("p2", 900);
    await releasePart(c.lockId, "child-A", [c.shopCoupon], 200);
    await releasePart(c.lockId, "child-B", [], 300);
    expect(await lockRow(c.lockId)).toMatchObject({ coins: 400 });
    expect((await entriesOf(c.buyerId)).filter((e) => e.kind === "PART_RELEASE")).toEqual([
      { kind: "PART_RELEASE", delta: 200, part_id: "child-A" },
      { kind: "PART_RELEASE", delta: 300, part_id: "child-B" },
    ]);
    expect(await balanceOf(c.buyerId)).toBe(500);
    expect(await ledgerOf(c.buyerId)).toBe(500);
  });

  it("changes nothing when a part arrives after the unlock, and answers a retried part as it was", async () => {
    const c = await lockedCheckout("p3", 600);
    await releasePart(c.lockId, "child-A", [c.shopCoupon], 100);
    await unlock(c.lockId);
    const late = await releasePart(c.lockId, "child-B", [c.platformCoupon], 250);
    expect(late).toEqual({
      lockId: c.lockId,
      partId: "child-B",
      status: "RELEASED",
      couponIds: [],
      coins: 0,
      changed: false,
    });
    expect(await releasePart(c.lockId, "child-A", [c.shopCoupon], 100)).toMatchObject({
      status: "RELEASED",
      couponIds: [c.shopCoupon],
      coins: 100,
      changed: false,
    });
    expect(await balanceOf(c.buyerId)).toBe(600);
    expect(await ledgerOf(c.buyerId)).toBe(600);
    const parts = await pool.query("SELECT part_id FROM promotion_lock_part WHERE lock_id = $1", [c.lockId]);
    expect(parts.rows).toEqual([{ part_id: "child-A" }]);
  });

  it("never returns more coins than the lock holds, nor a coupon that is not the lock's", async () => {
    const c = await lockedCheckout("p4", 400);
    const other = await lockedCheckout("p4x", 0);
    const part = await releasePart(c.lockId, "child-A", [other.shopCoupon, c.shopCoupon], 10_000);
    expect(part).toMatchObject({ couponIds: [c.shopCoupon], coins: 400, changed: true });
    expect(await couponRow(other.shopCoupon)).toEqual({ status: "LOCKED", lock_id: other.lockId });
    expect(await lockRow(c.lockId)).toMatchObject({ status: "HELD", coins: 0 });
    expect(await releasePart(c.lockId, "child-B", [], 50)).toMatchObject({ coins: 0, changed: true });
    expect(await balanceOf(c.buyerId)).toBe(400);
    expect(await ledgerOf(c.buyerId)).toBe(400);
    expect(await unlock(c.lockId)).toMatchObject({ status: "RELEASED", coins: 0 });
    expect(await ledgerOf(c.buyerId)).toBe(400);
  });

  it("lets a payment redeem only what is left, and refuses a new part on a redeemed lock", async () => {
    const c = await lockedCheckout("p5", 500);
    await releasePart(c.lockId, "child-A", [c.shopCoupon], 200);
    expect(await redeem(c.lockId)).toMatchObject({
      status: "REDEEMED",
      couponIds: [c.platformCoupon],
      coins: 300,
    });
    expect(await couponRow(c.shopCoupon)).toEqual({ status: "AVAILABLE", lock_id: null });
    expect((await couponRow(c.platformCoupon)).status).toBe("USED");
    await expect(releasePart(c.lockId, "child-B", [], 100)).rejects.toMatchObject({
      type: "INVALID_TRANSITION",
      data: { lockId: c.lockId, state: "REDEEMED", event: "releasePart" },
    });
    expect(await releasePart(c.lockId, "child-A", [c.shopCoupon], 200)).toMatchObject({
      status: "REDEEMED",
      coins: 200,
      changed: false,
    });
    expect(await balanceOf(c.buyerId)).toBe(200);
    expect(await ledgerOf(c.buyerId)).toBe(200);
  });

  it("still recognises a retried lock of the same checkout after a part went back", async () => {
    const c = await lockedCheckout("p6", 300);
    await releasePart(c.lockId, "child-A", [c.shopCoupon], 100);
    const retry = await lock({
      lockId: c.lockId,
      buyerId: c.buyerId,
      couponIds: [c.platformCoupon, c.shopCoupon],
      coins: 300,
    });
    expect(retry).toMatchObject({ changed: false, coins: 200, couponIds: [c.platformCoupon] });
    await expect(
      lock({ lockId: c.lockId, buyerId: c.buyerId, couponIds: [c.platformCoupon], coins: 200 }),
    ).rejects.toMatchObject({ type: "CONFLICT" });
  });

  it("returns every coin exactly once when parts, their retries and the unlock race", async () => {
    for (const n of [1, 2, 3]) {
      const c = await lockedCheckout(`p7-${n}`, 1_000);
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 4 }, () => releasePart(c.lockId, "child-A", [c.shopCoupon], 300)),
        ...Array.from({ length: 4 }, () => releasePart(c.lockId, "child-B", [], 200)),
        unlock(c.lockId),
      ]);
      expect(outcomes.map(outcomeOf)).toEqual(Array(9).fill("OK"));
      expect(await lockRow(c.lockId)).toMatchObject({ status: "RELEASED" });
      expect(await balanceOf(c.buyerId)).toBe(1_000);
      expect(await ledgerOf(c.buyerId)).toBe(1_000);
      const kinds = (await entriesOf(c.buyerId)).map((e) => `${e.kind}:${e.part_id ?? ""}`);
      expect(kinds.filter((k) => k === "PART_RELEASE:child-A").length).toBeLessThanOrEqual(1);
      expect(kinds.filter((k) => k === "PART_RELEASE:child-B").length).toBeLessThanOrEqual(1);
      expect(await couponRow(c.shopCoupon)).toEqual({ status: "AVAILABLE", lock_id: null });
      expect(await couponRow(c.platformCoupon)).toEqual({ status: "AVAILABLE", lock_id: null });
    }
  });

  it("returns nothing more when an unlock commits while the part waits for the lock row", async () => {
    const c = await lockedCheckout("p9", 1_000);
    const waiting = async (sqlFragment: string) =>
      Number(
        (
          await pool.query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1",
            [`%${sqlFragment}%`],
          )
        ).rows[0].n,
      ) > 0;
    // Hold the lock row so the unlock queues first and the part second, then let them go in that order.
    const blocker = await pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT 1 FROM promotion_lock WHERE lock_id = $1 FOR UPDATE", [c.lockId]);
      const unlocked = unlock(c.lockId);
      await waitFor("the unlock to wait", () => waiting("SET status = 'RELEASED'"));
      const part = releasePart(c.lockId, "child-A", [c.shopCoupon], 300);
      await waitFor("the part to wait", () => waiting("promotion_lock_part"));
      await blocker.query("COMMIT");
      expect(await unlocked).toMatchObject({ status: "RELEASED", coins: 1_000 });
      expect(await part).toMatchObject({ status: "RELEASED", coins: 0, changed: false });
    } finally {
      blocker.release();
    }
    expect(await balanceOf(c.buyerId)).toBe(1_000);
    expect(await ledgerOf(c.buyerId)).toBe(1_000);
  });

  it("refuses negative or fractional coins and an unknown lock", async () => {
    const c = await lockedCheckout("p8", 100);
    for (const coins of [-1, 1.5]) {
      await expect(releasePart(c.lockId, "child-A", [], coins)).rejects.toMatchObject({ code: 422 });
    }
    await expect(releasePart(`none-${t}`, "child-A", [], 1)).rejects.toMatchObject({ type: "NOT_FOUND" });
    expect(await lockRow(c.lockId)).toMatchObject({ status: "HELD", coins: 100 });
  });
});
