import type { Queryable } from "../../../shared/db/pool";
import { type CoinsPolicy, DEFAULT_COINS_POLICY, type ShippingRule } from "../domain/promotion.types";

/** Sets a shop's shipping fee and free-shipping threshold (null: never free). */
export async function setShopShipping(db: Queryable, shopId: string, rule: ShippingRule): Promise<void> {
  await db.query(
    `INSERT INTO shop_shipping (shop_id, fee_minor, free_over_minor) VALUES ($1, $2, $3)
     ON CONFLICT (shop_id) DO UPDATE SET fee_minor = EXCLUDED.fee_minor,
       free_over_minor = EXCLUDED.free_over_minor, updated_at = now()`,
    [shopId, rule.feeMinor, rule.freeOverMinor],
  );
}

/** The shipping rules set for these shops; shops without one are absent (pricing uses the default). */
export async function shippingRulesOf(
  db: Queryable,
  shopIds: readonly string[],
): Promise<Record<string, ShippingRule>> {
  const { rows } = await db.query<{ shop_id: string; fee_minor: number; free_over_minor: number | null }>(
    "SELECT shop_id, fee_minor, free_over_minor FROM shop_shipping WHERE shop_id = ANY($1)",
    [shopIds],
  );
  return Object.fromEntries(
    rows.map((r) => [r.shop_id, { feeMinor: r.fee_minor, freeOverMinor: r.free_over_minor }]),
  );
}

/** The coins policy in force. */
export async function coinsPolicyOf(db: Queryable): Promise<CoinsPolicy> {
  const { rows } = await db.query<{ coins_per_yuan: number; cap_percent: number }>(
    "SELECT coins_per_yuan, cap_percent FROM coins_policy",
  );
  return rows[0]
    ? { coinsPerYuan: rows[0].coins_per_yuan, capPercent: rows[0].cap_percent }
    : DEFAULT_COINS_POLICY;
}

/** Replaces the coins policy. */
export async function setCoinsPolicy(db: Queryable, policy: CoinsPolicy): Promise<void> {
  await db.query(
    `INSERT INTO coins_policy (id, coins_per_yuan, cap_percent) VALUES (true, $1, $2)
     ON CONFLICT (id) DO UPDATE SET coins_per_yuan = EXCLUDED.coins_per_yuan,
       cap_percent = EXCLUDED.cap_percent, updated_at = now()`,
    [policy.coinsPerYuan, policy.capPercent],
  );
}
