import type { Pool } from "pg";
import type { LockResult, RestoreResult } from "../../../shared/contracts/promotion.contract";
import { startSystem, type TestSystem } from "../../support/system";
import { callLocal, outcomeOf, promotionPool, tag } from "./helpers";

const DAY = 86_400_000;

describe("promotion.restore against PostgreSQL", () => {
  let system: TestSystem;
  let pool: Pool;
  const t = tag();
  const lock = (params: object) => callLocal<LockResult>(system, "promotion.lock", params);
  const redeem = (lockId: string) => callLocal<LockResult>(system, "promotion.redeem", { lockId });
  const restore = (lockId: string, partId: string, couponIds: string[], coins: number) =>
    callLocal<RestoreResult>(system, "promotion.restore", {
      lockId,
      partId,
      couponIds,
      coins,
      reason: "REFUND",
    });

  /** A buyer with coins, a shop coupon and a platform coupon, locked under one checkout; redeemed unless told. */
  async function paidCheckout(name: string, coins: number, { pay = true, templates = ["TS", "TP"] } = {}) {
    const buyerId = `${name}-${t}`;
    if (coins > 0)
      await callLocal(system, "promotion.adjustCoins", { userId: buyerId, delta: coins, reason: "grant" });
    const issue = async (template: string) =>
      (await callLocal(system, "promotion.issueCoupon", { templateId: `${template}-${t}`, userId: buyerId }))
        .couponId as string;
    const [shopCoupon, platformCoupon] = [
      await issue(templates[0] ?? "TS"),
      await issue(templates[1] ?? "TP"),
    ];
    const lockId = `${name}-lock-${t}`;
    await lock({ lockId, buyerId, couponIds: [shopCoupon, platformCoupon], coins });
    if (pay) await redeem(lockId);
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
    (
      await pool.query(
        "SELECT status, coins, restored_coins, coupon_ids FROM promotion_lock WHERE lock_id = $1",
        [lockId],
      )
    ).rows[0];
  const restoresOf = async (lockId: string) =>
    (
      await pool.query(
        "SELECT part_id, coupon_ids, expired_coupon_ids, coins FROM promotion_lock_restore WHERE lock_id = $1 ORDER BY part_id",
        [lockId],
      )
    ).rows;

  beforeAll(async () => {
    system = await startSystem(["promotion"]);
    pool = promotionPool();
    const window = {
      thresholdMinor: 0,
      discountMinor: 500,
      validFrom: new Date(Date.now() - DAY).toISOString(),
      validTo: new Date(Date.now() + DAY).toISOString(),
    };
    const templates = [
      { templateId: `TS-${t}`, scope: "SHOP", shopId: `S-${t}` },
      { templateId: `TP-${t}`, scope: "PLATFORM" },
      // Valid while the checkout is paid; its window is closed in the database before the refund.
      { templateId: `TX-${t}`, scope: "SHOP", shopId: `S-${t}` },
    ];
    for (const template of templates) {
      await callLocal(system, "promotion.createCouponTemplate", { ...template, ...window });
    }
  });
  afterAll(async () => {
    await pool.end();
    await system.stop();
  });

  it("gives back part of the coins and a coupon once, with a RESTORE entry, however often it is asked", async () => {
    const c = await paidCheckout("r1", 1_000);
    expect(await balanceOf(c.buyerId)).toBe(0);
    const first = await restore(c.lockId, "AS-1", [c.shopCoupon], 300);
    expect(first).toEqual({
      lockId: c.lockId,
      partId: "AS-1",
      couponIds: [c.shopCoupon],
      expiredCouponIds: [],
      coins: 300,
      changed: true,
    });
    expect(await restore(c.lockId, "AS-1", [c.shopCoupon], 300)).toEqual({ ...first, changed: false });
    // A retry with another body is still the first restore: it answers what that one did and changes nothing.
    expect(await restore(c.lockId, "AS-1", [c.platformCoupon], 500)).toEqual({ ...first, changed: false });

    expect(await balanceOf(c.buyerId)).toBe(300);
    expect(await ledgerOf(c.buyerId)).toBe(300);
    expect(await entriesOf(c.buyerId)).toEqual([
      { kind: "ADJUST", delta: 1_000, part_id: null },
      { kind: "HOLD", delta: -1_000, part_id: null },
      { kind: "RESTORE", delta: 300, part_id: "AS-1" },
    ]);
    expect(await couponRow(c.shopCoupon)).toEqual({ status: "AVAILABLE", lock_id: null });
    expect(await couponRow(c.platformCoupon)).toEqual({ status: "USED", lock_id: c.lockId });
    expect(await lockRow(c.lockId)).toEqual({
      status: "REDEEMED",
      coins: 1_000,
      restored_coins: 300,
      coupon_ids: [c.shopCoupon, c.platformCoupon],
    });
  });

  it("refuses more coins than remain restorable and changes nothing, then restores exactly the rest", async () => {
    const c = await paidCheckout("r2", 1_000);
    await restore(c.lockId, "AS-1", [], 300);
    await expect(restore(c.lockId, "AS-2", [c.platformCoupon], 701)).rejects.toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "coins", restorable: 700 },
    });
    expect(await couponRow(c.platformCoupon)).toEqual({ status: "USED", lock_id: c.lockId });
    expect(await balanceOf(c.buyerId)).toBe(300);
    expect(await restoresOf(c.lockId)).toHaveLength(1);

    expect(await restore(c.lockId, "AS-2", [c.platformCoupon], 700)).toMatchObject({
      couponIds: [c.platformCoupon],
      coins: 700,
      changed: true,
    });
    await expect(restore(c.lockId, "AS-3", [], 1)).rejects.toMatchObject({
      data: { field: "coins", restorable: 0 },
    });
    expect(await balanceOf(c.buyerId)).toBe(1_000);
    expect(await ledgerOf(c.buyerId)).toBe(1_000);
    expect(await lockRow(c.lockId)).toMatchObject({ coins: 1_000, restored_coins: 1_000 });
  });

  it("keeps a coupon past its window USED and lists it as expired, while a valid one goes back", async () => {
    const c = await paidCheckout("r3", 0, { templates: ["TX", "TP"] });
    await pool.query(
      "UPDATE coupon_template SET valid_to = now() - interval '1 minute' WHERE template_id = $1",
      [`TX-${t}`],
    );
    const result = await restore(c.lockId, "AS-1", [c.shopCoupon, c.platformCoupon], 0);
    expect(result).toEqual({
      lockId: c.lockId,
      partId: "AS-1",
      couponIds: [c.platformCoupon],
      expiredCouponIds: [c.shopCoupon],
      coins: 0,
      changed: true,
    });
    expect(await couponRow(c.shopCoupon)).toEqual({ status: "USED", lock_id: c.lockId });
    expect(await couponRow(c.platformCoupon)).toEqual({ status: "AVAILABLE", lock_id: null });
    expect(await restoresOf(c.lockId)).toEqual([
      { part_id: "AS-1", coupon_ids: [c.platformCoupon], expired_coupon_ids: [c.shopCoupon], coins: 0 },
    ]);
    expect(await entriesOf(c.buyerId)).toEqual([]);
  });

  it("does not give a coupon back twice across restores", async () => {
    const c = await paidCheckout("r4", 0);
    await restore(c.lockId, "AS-1", [c.shopCoupon], 0);
    expect(await restore(c.lockId, "AS-2", [c.shopCoupon, c.platformCoupon], 0)).toMatchObject({
      couponIds: [c.platformCoupon],
      expiredCouponIds: [],
      changed: true,
    });
  });

  it("refuses a coupon the lock did not use, changing nothing", async () => {
    const c = await paidCheckout("r5", 500);
    const other = await paidCheckout("r5x", 0);
    await expect(restore(c.lockId, "AS-1", [c.shopCoupon, other.shopCoupon], 100)).rejects.toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "couponIds", couponId: other.shopCoupon },
    });
    expect(await couponRow(c.shopCoupon)).toEqual({ status: "USED", lock_id: c.lockId });
    expect(await couponRow(other.shopCoupon)).toEqual({ status: "USED", lock_id: other.lockId });
    expect(await balanceOf(c.buyerId)).toBe(0);
    expect(await restoresOf(c.lockId)).toEqual([]);
  });

  it("counts a coupon released with a closed child before payment as not used by the lock", async () => {
    const c = await paidCheckout("r9", 0, { pay: false });
    await callLocal(system, "promotion.releasePart", {
      lockId: c.lockId,
      partId: "child-A",
      couponIds: [c.shopCoupon],
      coins: 0,
      reason: "MERCHANT_CANCELLED",
    });
    await redeem(c.lockId);
    await expect(restore(c.lockId, "AS-1", [c.shopCoupon], 0)).rejects.toMatchObject({
      data: { field: "couponIds", couponId: c.shopCoupon },
    });
    expect(await restore(c.lockId, "AS-1", [c.platformCoupon], 0)).toMatchObject({
      couponIds: [c.platformCoupon],
      changed: true,
    });
  });

  it("refuses a lock that is not redeemed, and an unknown one", async () => {
    const held = await paidCheckout("r6", 200, { pay: false });
    await expect(restore(held.lockId, "AS-1", [held.shopCoupon], 100)).rejects.toMatchObject({
      type: "INVALID_TRANSITION",
      data: { lockId: held.lockId, state: "HELD", event: "restore" },
    });
    expect(await couponRow(held.shopCoupon)).toEqual({ status: "LOCKED", lock_id: held.lockId });
    expect(await balanceOf(held.buyerId)).toBe(0);

    await callLocal(system, "promotion.unlock", { lockId: held.lockId, reason: "test" });
    await expect(restore(held.lockId, "AS-1", [], 100)).rejects.toMatchObject({
      type: "INVALID_TRANSITION",
      data: { lockId: held.lockId, state: "RELEASED", event: "restore" },
    });
    expect(await balanceOf(held.buyerId)).toBe(200);
    await expect(restore(`none-${t}`, "AS-1", [], 0)).rejects.toMatchObject({ type: "NOT_FOUND" });
  });

  it("refuses negative or fractional coins", async () => {
    const c = await paidCheckout("r7", 100);
    for (const coins of [-1, 1.5]) {
      await expect(restore(c.lockId, "AS-1", [], coins)).rejects.toMatchObject({ code: 422 });
    }
    expect(await restoresOf(c.lockId)).toEqual([]);
  });

  it("restores every coin at most once when restores and their retries race", async () => {
    const c = await paidCheckout("r8", 1_000);
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 4 }, () => restore(c.lockId, "AS-1", [c.shopCoupon], 400)),
      ...Array.from({ length: 4 }, () => restore(c.lockId, "AS-2", [c.platformCoupon], 400)),
      ...Array.from({ length: 4 }, () => restore(c.lockId, "AS-3", [], 400)),
    ]);
    // Two of the three parts fit; the third is refused every time it is asked.
    const results = outcomes.map(outcomeOf);
    expect(results.filter((r) => r === "OK").length).toBe(8);
    expect(results.filter((r) => r === "VALIDATION_FAILED").length).toBe(4);
    expect(await restoresOf(c.lockId)).toHaveLength(2);
    expect(await balanceOf(c.buyerId)).toBe(800);
    expect(await ledgerOf(c.buyerId)).toBe(800);
    expect((await entriesOf(c.buyerId)).filter((e) => e.kind === "RESTORE")).toHaveLength(2);
    expect(await lockRow(c.lockId)).toMatchObject({ restored_coins: 800 });
  });
});
