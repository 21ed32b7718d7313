import type { Pool } from "pg";
import type { PriceLineInput } from "../../../shared/contracts/promotion.contract";
import type { PricingConfigCache, PricingConfigSource } from "../cache/pricing-config";
import type { PricingInput } from "../domain/promotion.types";
import { buyerPricingData } from "./buyer-pricing.repo";
import { campaignsActiveAt, campaignsEndingAfter } from "./campaign.repo";
import { allTiers } from "./member.repo";
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

/** The tables behind the pricing configuration cache. */
export const pricingConfigSource = (pool: Pool): PricingConfigSource => ({
  campaignsEndingAfter: (horizon) => campaignsEndingAfter(pool, horizon),
  campaignsActiveAt: (at, shopIds) => campaignsActiveAt(pool, at, shopIds),
  tiers: () => allTiers(pool),
  coinsPolicy: () => coinsPolicyOf(pool),
  shippingRules: (shopIds) => shippingRulesOf(pool, shopIds),
});

/**
 * Reads everything a price calculation needs: campaigns running at `at` for the cart's shops, shipping
 * rules, the coins policy and tier benefits from the configuration cache; the buyer's tier, the coupons
 * asked for and (only when coins are spent) the coins balance in one round trip. When re-pricing a
 * checkout already locked, what that lock holds counts as the buyer's again.
 */
export async function loadPricingInput(
  pool: Pool,
  config: PricingConfigCache,
  query: PriceQuery,
): Promise<PricingInput> {
  const shopIds = [...new Set(query.lines.map((line) => line.shopId))];
  const couponIds = query.couponIds ?? [];
  const coins = query.coins ?? 0;
  const buyerQuery = { buyerId: query.buyerId, couponIds, withCoins: coins > 0, lockId: query.lockId };
  const [buyer, campaigns, shipping, coinsPolicy] = await Promise.all([
    buyerPricingData(pool, buyerQuery),
    config.campaignsActiveAt(query.at, shopIds),
    config.shippingRulesOf(shopIds),
    config.coinsPolicy(),
  ]);
  return {
    buyerId: query.buyerId,
    lines: query.lines,
    couponIds,
    coupons: buyer.coupons,
    coins,
    coinsBalance: buyer.coinsBalance,
    campaigns,
    member: await config.benefitOf(buyer.tier),
    coinsPolicy,
    shipping,
  };
}
