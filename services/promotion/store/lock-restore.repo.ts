import type { Pool } from "pg";
import type { RestoreParams, RestoreResult } from "../../../shared/contracts/promotion.contract";
import { type Queryable, withTransaction } from "../../../shared/db/pool";
import { notFound } from "../../../shared/errors";
import { type RestorableLock, type RestoreOutcome, restoreOutcome } from "../domain/restore-rules";
import { COUPON_COLUMNS, type CouponRow, toCoupon } from "./coupon.repo";

interface RestoreRow {
  lock_id: string;
  part_id: string;
  coupon_ids: string[];
  expired_coupon_ids: string[];
  coins: number;
}

const toResult = (row: RestoreRow, changed: boolean): RestoreResult => ({
  lockId: row.lock_id,
  partId: row.part_id,
  couponIds: row.coupon_ids,
  expiredCouponIds: row.expired_coupon_ids,
  coins: row.coins,
  changed,
});

/**
 * Gives back part of a redeemed lock after a refund: the asked coupons it used go USED -> AVAILABLE (those past
 * their window stay USED and are listed as expired) and the coins are credited with a RESTORE entry, at most
 * what the lock took minus earlier restores. Idempotent per (lockId, partId): a retry answers the first result
 * with `changed: false`. One transaction under the lock's row lock, so restores of one lock run one at a time
 * and each sees what the others gave back; a refused restore changes nothing.
 */
export function restoreLockPart(pool: Pool, params: RestoreParams, now: Date): Promise<RestoreResult> {
  return withTransaction(pool, async (tx) => {
    const lock = await restorableLock(tx, params.lockId);
    if (!lock) throw notFound("Promotion lock", { lockId: params.lockId });
    // Read after the row lock is granted: a restore of the same part that committed meanwhile is seen here.
    const { rows: prior } = await tx.query<RestoreRow>(
      "SELECT * FROM promotion_lock_restore WHERE lock_id = $1 AND part_id = $2",
      [params.lockId, params.partId],
    );
    if (prior[0]) return toResult(prior[0], false);
    const outcome = restoreOutcome(lock, params, await couponsOf(tx, params.couponIds), now);
    const { rows } = await tx.query<RestoreRow>(RESTORE, restoreValues(params, outcome));
    return toResult(rows[0] as RestoreRow, true);
  });
}

async function restorableLock(tx: Queryable, lockId: string): Promise<RestorableLock | undefined> {
  const { rows } = await tx.query<{
    status: RestorableLock["status"];
    coupon_ids: string[];
    coins: number;
    restored_coins: number;
  }>("SELECT status, coupon_ids, coins, restored_coins FROM promotion_lock WHERE lock_id = $1 FOR UPDATE", [
    lockId,
  ]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    lockId,
    status: row.status,
    couponIds: row.coupon_ids,
    coins: row.coins,
    restoredCoins: row.restored_coins,
  };
}

async function couponsOf(tx: Queryable, couponIds: readonly string[]) {
  if (couponIds.length === 0) return [];
  const { rows } = await tx.query<CouponRow>(
    `SELECT ${COUPON_COLUMNS} FROM coupon c JOIN coupon_template t USING (template_id)
      WHERE c.coupon_id = ANY ($1)`,
    [couponIds],
  );
  return rows.map(toCoupon);
}

const restoreValues = (params: RestoreParams, outcome: RestoreOutcome) => [
  params.lockId,
  params.partId,
  outcome.couponIds,
  outcome.expiredCouponIds,
  outcome.coins,
  params.reason,
];

// One statement: the restore record, the lock's restored coins (its CHECK keeps them within what it took), the
// coupons, the balance and the RESTORE entry change together. Only coupons still USED by this lock go back.
const RESTORE = `
  WITH part AS (
    INSERT INTO promotion_lock_restore (lock_id, part_id, coupon_ids, expired_coupon_ids, coins, reason)
    VALUES ($1, $2, $3::text[], $4::text[], $5::bigint, $6) RETURNING *),
  lock AS (
    UPDATE promotion_lock l SET restored_coins = l.restored_coins + p.coins, updated_at = now()
      FROM part p WHERE l.lock_id = p.lock_id RETURNING l.buyer_id),
  coupons AS (
    UPDATE coupon c SET status = 'AVAILABLE', lock_id = NULL, locked_at = NULL, used_at = NULL
      FROM part p WHERE c.coupon_id = ANY (p.coupon_ids) AND c.lock_id = p.lock_id AND c.status = 'USED'),
  credited AS (
    INSERT INTO coins_account (user_id, balance) SELECT buyer_id, $5::bigint FROM lock WHERE $5::bigint > 0
    ON CONFLICT (user_id) DO UPDATE SET balance = coins_account.balance + EXCLUDED.balance, updated_at = now()
    RETURNING user_id),
  entry AS (
    INSERT INTO coins_entry (user_id, delta, kind, reason, lock_id, part_id)
    SELECT user_id, $5::bigint, 'RESTORE', $6, $1, $2 FROM credited)
  SELECT * FROM part`;
