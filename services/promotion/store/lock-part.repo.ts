import type { Pool } from "pg";
import type { ReleasePartParams, ReleasePartResult } from "../../../shared/contracts/promotion.contract";
import { notFound } from "../../../shared/errors";
import { refused } from "./lock.repo";

interface PartRow {
  lock_id: string;
  part_id: string;
  coupon_ids: string[];
  coins: number;
}

const toResult = (
  row: PartRow,
  status: ReleasePartResult["status"],
  changed: boolean,
): ReleasePartResult => ({
  lockId: row.lock_id,
  partId: row.part_id,
  status,
  couponIds: row.coupon_ids,
  coins: row.coins,
  changed,
});

/**
 * Returns one part of a held lock (a child order closed while its siblings stay open): those of the listed
 * coupons that are this lock's, and the coins, at most what the lock still holds. Idempotent per
 * (lockId, partId). A RELEASED lock returned everything already, so a new part changes nothing; a REDEEMED
 * one is refused. One round trip when the part is released, two otherwise.
 */
export async function releaseLockPart(pool: Pool, params: ReleasePartParams): Promise<ReleasePartResult> {
  const { lockId, partId, couponIds, coins, reason } = params;
  const released = await pool.query<PartRow>(RELEASE_PART, [lockId, partId, couponIds, coins, reason]);
  if (released.rows[0]) return toResult(released.rows[0], "HELD", true);
  // Nothing changed: the part was released before, or the lock is no longer HELD (and never will be again).
  const { rows } = await pool.query<PartRow & { status: ReleasePartResult["status"] }>(
    `SELECT l.lock_id, l.status, p.part_id, p.coupon_ids, p.coins FROM promotion_lock l
       LEFT JOIN promotion_lock_part p ON p.lock_id = l.lock_id AND p.part_id = $2
      WHERE l.lock_id = $1`,
    [lockId, partId],
  );
  const row = rows[0];
  if (!row) throw notFound("Promotion lock", { lockId });
  if (row.part_id !== null) return toResult(row, row.status, false);
  // The coins went with the payment: giving any back is a refund, not a release.
  if (row.status === "REDEEMED") throw refused(row, "releasePart");
  return toResult({ lock_id: lockId, part_id: partId, coupon_ids: [], coins: 0 }, row.status, false);
}

// One statement, so the part record, the lock's remaining holdings, the coupons, the balance and the ledger
// change together or not at all. The lock row is row-locked first: a concurrent unlock, redeem or other part
// waits, and this one reads what the lock holds once they are done (or finds it no longer HELD). The part
// insert is the idempotency claim: when (lockId, partId) exists, every later step has no row to work on.
const RELEASE_PART = `
  WITH held AS (
    SELECT lock_id, buyer_id, coupon_ids, coins FROM promotion_lock
     WHERE lock_id = $1 AND status = 'HELD' FOR UPDATE),
  part AS (
    INSERT INTO promotion_lock_part (lock_id, part_id, coupon_ids, coins, reason)
    SELECT h.lock_id, $2,
           ARRAY(SELECT c FROM unnest($3::text[]) WITH ORDINALITY AS x(c, n)
                  WHERE c = ANY (h.coupon_ids) ORDER BY n),
           LEAST($4::bigint, h.coins), $5
      FROM held h
    ON CONFLICT (lock_id, part_id) DO NOTHING
    RETURNING lock_id, part_id, coupon_ids, coins),
  remaining AS (
    UPDATE promotion_lock l SET coins = l.coins - p.coins, updated_at = now(),
           coupon_ids = ARRAY(SELECT c FROM unnest(l.coupon_ids) WITH ORDINALITY AS x(c, n)
                               WHERE c <> ALL (p.coupon_ids) ORDER BY n)
      FROM part p WHERE l.lock_id = p.lock_id),
  coupons AS (
    UPDATE coupon c SET status = 'AVAILABLE', lock_id = NULL, locked_at = NULL
      FROM part p WHERE c.coupon_id = ANY (p.coupon_ids) AND c.lock_id = p.lock_id AND c.status = 'LOCKED'),
  refunded AS (
    UPDATE coins_account a SET balance = a.balance + p.coins, updated_at = now()
      FROM part p JOIN held h USING (lock_id) WHERE p.coins > 0 AND a.user_id = h.buyer_id
    RETURNING a.user_id, p.coins, p.lock_id, p.part_id),
  entry AS (
    INSERT INTO coins_entry (user_id, delta, kind, reason, lock_id, part_id)
    SELECT user_id, coins, 'PART_RELEASE', $5, lock_id, part_id FROM refunded)
  SELECT * FROM part`;
