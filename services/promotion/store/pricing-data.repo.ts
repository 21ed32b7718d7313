import type { Pool } from "pg";
import type { PriceLineInput } from "../../../shared/contracts/promotion.contract";
import type { PricingInput } from "../domain/promotion.types";
import { campaignsActiveAt } from "./campaign.repo";
import { couponsByIds } from "./coupon.repo";
import { coinsBalanceOf, memberBenefitOf } from "./member.repo";
import { coinsPolicyOf, shippingRulesOf } from "./settings.repo";

/** What `promotion.price` asks, after its params schema converted `at`. */
export interface PriceQuery {
  buyerId: string;
  lines: PriceLineInput[];
  couponIds?: string[];
  coins?: number;
  at: Date;
  lockId?: string;
}

/**
 * Reads everything a price calculation needs: campaigns running at `at` for the cart's shops, the buyer's
 * tier, the coupons asked for, the coins balance, shipping rules and the coins policy. When re-pricing a
 * checkout already locked, what that lock holds counts as the buyer's again.
 */
export async function loadPricingInput(pool: Pool, query: PriceQuery): Promise<PricingInput> {
  const shopIds = [...new Set(query.lines.map((line) => line.shopId))];
  const couponIds = query.couponIds ?? [];
  const [campaigns, member, coupons, balance, held, shipping, coinsPolicy] = await Promise.all([
    campaignsActiveAt(pool, query.at, shopIds),
    memberBenefitOf(pool, query.buyerId),
    couponsByIds(pool, couponIds, query.lockId ? { heldBy: query.lockId } : {}),
    coinsBalanceOf(pool, query.buyerId),
    heldCoins(pool, query.buyerId, query.lockId),
    shippingRulesOf(pool, shopIds),
    coinsPolicyOf(pool),
  ]);
  return {
    buyerId: query.buyerId,
    lines: query.lines,
    couponIds,
    coupons,
    coins: query.coins ?? 0,
    coinsBalance: balance + held,
    campaigns,
    member,
    coinsPolicy,
    shipping,
  };
}

async function heldCoins(pool: Pool, buyerId: string, lockId: string | undefined): Promise<number> {
  if (!lockId) return 0;
  const { rows } = await pool.query<{ coins: number }>(
    "SELECT coins FROM promotion_lock WHERE lock_id = $1 AND buyer_id = $2 AND status = 'HELD'",
    [lockId, buyerId],
  );
  return rows[0]?.coins ?? 0;
}
