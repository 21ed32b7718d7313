import type { Pool } from "pg";
import type { LockParams, LockResult, UnlockParams } from "../../../shared/contracts/promotion.contract";
import { type Queryable, withTransaction } from "../../../shared/db/pool";
import { notFound, OmsError } from "../../../shared/errors";
import { usableCoupons } from "../domain/coupon-rules";
import type { Coupon } from "../domain/promotion.types";
import { COUPON_COLUMNS, type CouponRow, toCoupon } from "./coupon.repo";
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

/** INVALID_TRANSITION for an event the lock's status no longer allows (RELEASED and REDEEMED are final). */
export const refused = (row: Pick<LockRow, "lock_id" | "status">, event: string) =>
  new OmsError("INVALID_TRANSITION", `Lock ${row.lock_id} is ${row.status}`, {
    lockId: row.lock_id,
    state: row.status,
    event,
  });

/**
 * Locks a checkout's coupons (AVAILABLE -> LOCKED) and holds its coins, all in one transaction. The lock
 * row is inserted first: a concurrent call with the same id waits on its key and then finds it, so a
 * retry returns the first result. Coupons are row-locked, so of two checkouts racing for one coupon
 * exactly one wins (the other gets COUPON_UNAVAILABLE). Round trips: BEGIN, the claim (which row-locks the
 * coupons), marking the coupons LOCKED, holding the coins, COMMIT; the middle two only when needed.
 */
export function lockPromotions(pool: Pool, params: LockParams, now: Date): Promise<LockResult> {
  return withTransaction(pool, async (tx) => {
    const claimed = await claimLock(tx, params);
    if (!claimed) return repeatedLock(tx, params);
    const coupons = usableCoupons(params.couponIds, claimed, params.buyerId, now);
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
    const row = { lock_id: params.lockId, buyer_id: params.buyerId, status: "HELD" as const };
    return toResult({ ...row, coupon_ids: params.couponIds, coins: params.coins }, true);
  });
}

/**
 * Inserts the lock row and, only when that row is new, row-locks its coupons in id order (so two
 * checkouts never deadlock), in one statement. Undefined: the lock id was taken already.
 */
async function claimLock(tx: Queryable, params: LockParams): Promise<Coupon[] | undefined> {
  const { rows } = await tx.query<CouponRow>(
    `WITH claimed AS (
       INSERT INTO promotion_lock (lock_id, buyer_id, coupon_ids, coins, status) VALUES ($1, $2, $3, $4, 'HELD')
       ON CONFLICT (lock_id) DO NOTHING RETURNING coupon_ids)
     SELECT picked.* FROM claimed LEFT JOIN LATERAL (
       SELECT ${COUPON_COLUMNS} FROM coupon c JOIN coupon_template t USING (template_id)
        WHERE c.coupon_id = ANY(claimed.coupon_ids) ORDER BY c.coupon_id FOR UPDATE OF c) picked ON true`,
    [params.lockId, params.buyerId, params.couponIds, params.coins],
  );
  if (rows.length === 0) return undefined;
  return rows.filter((row) => row.coupon_id !== null).map(toCoupon);
}

// The same lock id again: the same checkout is a retry; anything else reusing the id is a conflict. What the
// checkout locked is what the lock still holds plus its released parts.
async function repeatedLock(tx: Queryable, params: LockParams): Promise<LockResult> {
  const row = (await lockRow(tx, params.lockId)) as LockRow;
  if (row.status === "RELEASED") throw refused(row, "lock");
  const { rows: parts } = await tx.query<{ coupon_ids: string[]; coins: number }>(
    "SELECT coupon_ids, coins FROM promotion_lock_part WHERE lock_id = $1",
    [params.lockId],
  );
  const same =
    row.buyer_id === params.buyerId &&
    parts.reduce((sum, part) => sum + part.coins, row.coins) === params.coins &&
    sameSet([...row.coupon_ids, ...parts.flatMap((part) => part.coupon_ids)], params.couponIds);
  if (!same)
    throw new OmsError("CONFLICT", `Lock ${params.lockId} holds a different checkout`, {
      lockId: params.lockId,
    });
  return toResult(row, false);
}

/**
 * Returns what a lock still holds (coupons LOCKED -> AVAILABLE, coins): all of it, or what its released parts
 * left. Idempotent; an unknown id leaves a RELEASED marker so that a lock arriving after its own compensation
 * holds nothing. A REDEEMED lock is refused. Each step is one atomic statement: an unknown id costs one round
 * trip, a held lock two.
 */
export async function unlockPromotions(pool: Pool, params: UnlockParams): Promise<LockResult> {
  // Waits for a lock with the same id still being written, so a lock row is committed when this finds it.
  const marker = await pool.query<LockRow>(
    `INSERT INTO promotion_lock (lock_id, status, reason) VALUES ($1, 'RELEASED', $2)
     ON CONFLICT (lock_id) DO NOTHING RETURNING *`,
    [params.lockId, params.reason],
  );
  if (marker.rows[0]) return toResult(marker.rows[0], false);
  const released = await pool.query<LockRow>(RELEASE_HELD, [params.lockId, params.reason]);
  if (released.rows[0]) return toResult(released.rows[0], true);
  // No longer HELD, and never again: RELEASED or REDEEMED are final.
  const { rows } = await pool.query<LockRow>("SELECT * FROM promotion_lock WHERE lock_id = $1", [
    params.lockId,
  ]);
  const row = rows[0] as LockRow;
  if (row.status === "REDEEMED") throw refused(row, "unlock");
  return toResult(row, false);
}

// HELD -> RELEASED with its remaining coupons and coins back (a RELEASE entry into the account the HOLD took
// them from), as one statement so the lock row, coupons, balance and ledger change together or not at all.
const RELEASE_HELD = `
  WITH released AS (
    UPDATE promotion_lock SET status = 'RELEASED', reason = $2, updated_at = now()
     WHERE lock_id = $1 AND status = 'HELD' RETURNING *),
  coupons AS (
    UPDATE coupon SET status = 'AVAILABLE', lock_id = NULL, locked_at = NULL
     WHERE lock_id IN (SELECT lock_id FROM released) AND status = 'LOCKED'),
  refunded AS (
    UPDATE coins_account a SET balance = a.balance + r.coins, updated_at = now()
      FROM released r WHERE r.coins > 0 AND a.user_id = r.buyer_id
    RETURNING a.user_id, r.coins, r.lock_id),
  entry AS (
    INSERT INTO coins_entry (user_id, delta, kind, reason, lock_id)
    SELECT user_id, coins, 'RELEASE', $2, lock_id FROM refunded)
  SELECT * FROM released`;

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
