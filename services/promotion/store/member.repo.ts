import type { Pool } from "pg";
import { type Queryable, withTransaction } from "../../../shared/db/pool";
import { OmsError, validationFailed } from "../../../shared/errors";
import { DEFAULT_TIER, type MemberBenefit } from "../domain/promotion.types";
import { isForeignKeyViolation } from "./pg-errors";

interface TierRow {
  tier: string;
  percent: number;
  stacks_with_item_promotion: boolean;
}
const toBenefit = (row: TierRow): MemberBenefit => ({
  tier: row.tier,
  percent: row.percent,
  stacksWithItemPromotion: row.stacks_with_item_promotion,
});

/** Creates or changes a tier's benefit. */
export async function upsertTier(db: Queryable, benefit: MemberBenefit): Promise<MemberBenefit> {
  const { rows } = await db.query<TierRow>(
    `INSERT INTO member_tier (tier, percent, stacks_with_item_promotion) VALUES ($1, $2, $3)
     ON CONFLICT (tier) DO UPDATE SET percent = EXCLUDED.percent,
       stacks_with_item_promotion = EXCLUDED.stacks_with_item_promotion, updated_at = now()
     RETURNING *`,
    [benefit.tier, benefit.percent, benefit.stacksWithItemPromotion],
  );
  return toBenefit(rows[0] as TierRow);
}

/** Puts a user in a tier; an unknown tier is VALIDATION_FAILED naming "tier". */
export async function setMemberTier(db: Queryable, userId: string, tier: string): Promise<void> {
  try {
    await db.query(
      `INSERT INTO member (user_id, tier) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET tier = EXCLUDED.tier, updated_at = now()`,
      [userId, tier],
    );
  } catch (err) {
    if (isForeignKeyViolation(err)) throw validationFailed("tier", `Unknown tier ${tier}`, { tier });
    throw err;
  }
}

/** A user's tier and its benefit (NORMAL for users never given a tier). */
export async function memberBenefitOf(db: Queryable, userId: string): Promise<MemberBenefit> {
  const { rows } = await db.query<TierRow>(
    `SELECT t.* FROM member_tier t
      WHERE t.tier = COALESCE((SELECT tier FROM member WHERE user_id = $1), $2)`,
    [userId, DEFAULT_TIER],
  );
  return rows[0] ? toBenefit(rows[0]) : { tier: DEFAULT_TIER, percent: 100, stacksWithItemPromotion: false };
}

/** Every tier with its benefit. */
export async function allTiers(db: Queryable): Promise<MemberBenefit[]> {
  const { rows } = await db.query<TierRow>("SELECT * FROM member_tier ORDER BY tier");
  return rows.map(toBenefit);
}

/** A user's coins balance (0 without an account). */
export async function coinsBalanceOf(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ balance: number }>(
    "SELECT balance FROM coins_account WHERE user_id = $1",
    [userId],
  );
  return rows[0]?.balance ?? 0;
}

// A grant may open the account; a deduction needs one with enough coins, so it never creates one.
const CREDIT = `INSERT INTO coins_account (user_id, balance) VALUES ($1, $2)
  ON CONFLICT (user_id) DO UPDATE SET balance = coins_account.balance + EXCLUDED.balance, updated_at = now()
  RETURNING balance`;
const DEBIT = `UPDATE coins_account SET balance = balance + $2, updated_at = now()
  WHERE user_id = $1 AND balance + $2 >= 0 RETURNING balance`;

/**
 * Moves coins in or out of an account with its ledger entry, in one statement (the account row stays
 * locked until the caller's transaction ends); taking more than the balance is INSUFFICIENT_COINS naming
 * `field`. Returns the new balance.
 */
export async function moveCoins(
  tx: Queryable,
  move: {
    userId: string;
    delta: number;
    kind: "ADJUST" | "HOLD" | "RELEASE";
    reason: string;
    lockId?: string;
  },
  field = "delta",
): Promise<number> {
  const { rows } = await tx.query<{ balance: number }>(
    `WITH moved AS (${move.delta > 0 ? CREDIT : DEBIT}),
       entry AS (INSERT INTO coins_entry (user_id, delta, kind, reason, lock_id)
         SELECT $1::text, $2::bigint, $3::text, $4::text, $5::text FROM moved)
     SELECT balance FROM moved`,
    [move.userId, move.delta, move.kind, move.reason, move.lockId ?? null],
  );
  if (!rows[0]) {
    const balance = await coinsBalanceOf(tx, move.userId);
    throw new OmsError("INSUFFICIENT_COINS", `Only ${balance} coins available`, { field, balance });
  }
  return rows[0].balance;
}

/** An operator's grant (delta > 0) or deduction (delta < 0), in its own transaction. */
export function adjustCoins(pool: Pool, userId: string, delta: number, reason: string): Promise<number> {
  return withTransaction(pool, (tx) => moveCoins(tx, { userId, delta, kind: "ADJUST", reason }));
}
