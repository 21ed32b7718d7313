import type { Pool } from "pg";
import type { LockParams, LockResult, UnlockParams } from "../../../shared/contracts/promotion.contract";
import { type Queryable, withTransaction } from "../../../shared/db/pool";
import { notFound, OmsError } from "../../../shared/errors";
import { usableCoupons } from "../domain/coupon-rules";
import { couponsByIds } from "./coupon.repo";
import { moveCoins } from "./member.repo";

interface LockRow {
  lock_id: string;
  buyer_id: string | null;
  coupon_ids: string[];
  coins: number;
  status: LockResult["status"];
}

const toResult = (row: LockRow, changed: boolean): LockResult => ({
  lockId: row.lock_id,
  status: row.status,
  couponIds: row.coupon_ids,
  coins: row.coins,
  changed,
});

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join("\u0000") === [...b].sort().join("\u0000");

async function lockRow(tx: Queryable, lockId: string): Promise<LockRow | undefined> {
  const { rows } = await tx.query<LockRow>("SELECT * FROM promotion_lock WHERE lock_id = $1 FOR UPDATE", [
    lockId,
  ]);
  return rows[0];
}

const refused = (row: LockRow, event: string) =>
  new OmsError("INVALID_TRANSITION", `Lock ${row.lock_id} is ${row.status}`, {
    lockId: row.lock_id,
    state: row.status,
    event,
  });

/**
 * Locks a checkout's coupons (AVAILABLE -> LOCKED) and holds its coins, all in one transaction. The lock
 * row is inserted first: a concurrent call with the same id waits on its key and then finds it, so a
 * retry returns the first result. Coupons are row-locked, so of two checkouts racing for one coupon
 * exactly one wins (the other gets COUPON_UNAVAILABLE).
 */
export function lockPromotions(pool: Pool, params: LockParams, now: Date): Promise<LockResult> {
  return withTransaction(pool, async (tx) => {
    const inserted = await tx.query<LockRow>(
      `INSERT INTO promotion_lock (lock_id, buyer_id, coupon_ids, coins, status) VALUES ($1, $2, $3, $4, 'HELD')
       ON CONFLICT (lock_id) DO NOTHING RETURNING *`,
      [params.lockId, params.buyerId, params.couponIds, params.coins],
    );
    const row = inserted.rows[0];
    if (!row) return repeatedLock(tx, params);
    const coupons = usableCoupons(
      params.couponIds,
      await couponsByIds(tx, params.couponIds, { forUpdate: true }),
      params.buyerId,
      now,
    );
    if (coupons.length > 0) {
      await tx.query(
        "UPDATE coupon SET status = 'LOCKED', lock_id = $1, locked_at = now() WHERE coupon_id = ANY($2)",
        [params.lockId, params.couponIds],
      );
    }
    if (params.coins > 0) {
      const hold = {
        userId: params.buyerId,
        delta: -params.coins,
        kind: "HOLD" as const,
        lockId: params.lockId,
      };
      await moveCoins(tx, { ...hold, reason: `checkout ${params.lockId}` }, "coins");
    }
    return toResult(row, true);
  });
}

// The same lock id again: the same checkout is a retry; anything else reusing the id is a conflict.
async function repeatedLock(tx: Queryable, params: LockParams): Promise<LockResult> {
  const row = (await lockRow(tx, params.lockId)) as LockRow;
  if (row.status === "RELEASED") throw refused(row, "lock");
  const same =
    row.buyer_id === params.buyerId &&
    row.coins === params.coins &&
    sameSet(row.coupon_ids, params.couponIds);
  if (!same)
    throw new OmsError("CONFLICT", `Lock ${params.lockId} holds a different checkout`, {
      lockId: params.lockId,
    });
  return toResult(row, false);
}

/**
 * Returns a lock's coupons (LOCKED -> AVAILABLE) and coins. Idempotent; an unknown id leaves a RELEASED
 * marker so that a lock arriving after its own compensation holds nothing. A REDEEMED lock is refused.
 */
export function unlockPromotions(pool: Pool, params: UnlockParams): Promise<LockResult> {
  return withTransaction(pool, async (tx) => {
    const marker = await tx.query<LockRow>(
      `INSERT INTO promotion_lock (lock_id, status, reason) VALUES ($1, 'RELEASED', $2)
       ON CONFLICT (lock_id) DO NOTHING RETURNING *`,
      [params.lockId, params.reason],
    );
    if (marker.rows[0]) return toResult(marker.rows[0], false);
    const row = (await lockRow(tx, params.lockId)) as LockRow;
    if (row.status === "RELEASED") return toResult(row, false);
    if (row.status === "REDEEMED") throw refused(row, "unlock");
    await tx.query(
      "UPDATE coupon SET status = 'AVAILABLE', lock_id = NULL, locked_at = NULL WHERE lock_id = $1 AND status = 'LOCKED'",
      [params.lockId],
    );
    if (row.coins > 0 && row.buyer_id) {
      const release = {
        userId: row.buyer_id,
        delta: row.coins,
        kind: "RELEASE" as const,
        lockId: row.lock_id,
      };
      await moveCoins(tx, { ...release, reason: params.reason });
    }
    const { rows } = await tx.query<LockRow>(
      "UPDATE promotion_lock SET status = 'RELEASED', reason = $2, updated_at = now() WHERE lock_id = $1 RETURNING *",
      [params.lockId, params.reason],
    );
    return toResult(rows[0] as LockRow, true);
  });
}

/** Marks a paid checkout's coupons USED (the coins were spent at lock time). Idempotent. */
export function redeemPromotions(pool: Pool, lockId: string): Promise<LockResult> {
  return withTransaction(pool, async (tx) => {
    const row = await lockRow(tx, lockId);
    if (!row) throw notFound("Promotion lock", { lockId });
    if (row.status === "REDEEMED") return toResult(row, false);
    if (row.status === "RELEASED") throw refused(row, "redeem");
    await tx.query(
      "UPDATE coupon SET status = 'USED', used_at = now() WHERE lock_id = $1 AND status = 'LOCKED'",
      [lockId],
    );
    const { rows } = await tx.query<LockRow>(
      "UPDATE promotion_lock SET status = 'REDEEMED', updated_at = now() WHERE lock_id = $1 RETURNING *",
      [lockId],
    );
    return toResult(rows[0] as LockRow, true);
  });
}
