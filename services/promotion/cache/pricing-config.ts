import {
  type Campaign,
  type CoinsPolicy,
  DEFAULT_TIER,
  type MemberBenefit,
  type ShippingRule,
} from "../domain/promotion.types";
import type { ConfigChange } from "../promotion.events";
import { TtlMap, TtlValue } from "./ttl-cache";

/** Where the cache loads from (the promotion tables). */
export interface PricingConfigSource {
  campaignsEndingAfter(horizon: Date): Promise<Campaign[]>;
  campaignsActiveAt(at: Date, shopIds: readonly string[]): Promise<Campaign[]>;
  tiers(): Promise<MemberBenefit[]>;
  coinsPolicy(): Promise<CoinsPolicy>;
  shippingRules(shopIds: readonly string[]): Promise<Record<string, ShippingRule>>;
}

/** How long a pod prices with configuration it did not re-read: the bound on a missed broadcast. */
export const CONFIG_TTL_MS = 5_000;
// Campaigns that ended this long before a load are left out of it; pricing at an earlier time reads the table.
const CAMPAIGN_HORIZON_MS = 3_600_000;
const NO_BENEFIT: MemberBenefit = Object.freeze({
  tier: DEFAULT_TIER,
  percent: 100,
  stacksWithItemPromotion: false,
});

interface CampaignIndex {
  horizon: number;
  /** By shop id; platform campaigns under null. */
  byShop: Map<string | null, Campaign[]>;
}

/**
 * The rarely written configuration that every price call reads (campaigns, member tiers, the coins policy,
 * shipping rules per shop), kept in memory for CONFIG_TTL_MS. Cached objects are frozen: pricing shares them.
 */
export class PricingConfigCache {
  private readonly campaigns: TtlValue<CampaignIndex>;
  private readonly tiers: TtlValue<Map<string, MemberBenefit>>;
  private readonly policy: TtlValue<CoinsPolicy>;
  private readonly shipping: TtlMap<ShippingRule>;

  constructor(
    private readonly source: PricingConfigSource,
    ttlMs = CONFIG_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.campaigns = new TtlValue(() => this.loadCampaigns(), ttlMs, now);
    this.tiers = new TtlValue(
      async () => new Map((await source.tiers()).map((tier) => [tier.tier, Object.freeze(tier)])),
      ttlMs,
      now,
    );
    this.policy = new TtlValue(async () => Object.freeze(await source.coinsPolicy()), ttlMs, now);
    this.shipping = new TtlMap(
      async (shopIds) =>
        new Map(
          Object.entries(await source.shippingRules(shopIds)).map(([id, rule]) => [id, Object.freeze(rule)]),
        ),
      ttlMs,
      100_000,
      now,
    );
  }

  /** Campaigns running at `at` that reach these shops (theirs and the platform's). */
  async campaignsActiveAt(at: Date, shopIds: readonly string[]): Promise<Campaign[]> {
    const index = await this.campaigns.get();
    if (at.getTime() < index.horizon) return this.source.campaignsActiveAt(at, shopIds);
    const reach = [index.byShop.get(null) ?? [], ...shopIds.map((shopId) => index.byShop.get(shopId) ?? [])];
    const time = at.getTime();
    return reach.flat().filter((c) => c.startsAt.getTime() <= time && time < c.endsAt.getTime());
  }

  /** A tier's benefit; a tier this pod has not seen yet (a missed broadcast) is re-read once. */
  async benefitOf(tier: string | null): Promise<MemberBenefit> {
    const name = tier ?? DEFAULT_TIER;
    const known = (await this.tiers.get()).get(name);
    if (known) return known;
    this.tiers.forget();
    return (await this.tiers.get()).get(name) ?? NO_BENEFIT;
  }

  /** The coins policy in force. */
  coinsPolicy(): Promise<CoinsPolicy> {
    return this.policy.get();
  }

  /** The shipping rules set for these shops; shops without one are absent (pricing uses the default). */
  async shippingRulesOf(shopIds: readonly string[]): Promise<Record<string, ShippingRule>> {
    return Object.fromEntries(await this.shipping.get(shopIds));
  }

  /** Drops what a write changed, here or on another pod. */
  forget(change: ConfigChange): void {
    if (change.campaigns) this.campaigns.forget();
    if (change.tiers) this.tiers.forget();
    if (change.coinsPolicy) this.policy.forget();
    if (change.shopId) this.shipping.forget(change.shopId);
  }

  private async loadCampaigns(): Promise<CampaignIndex> {
    const horizon = this.now() - CAMPAIGN_HORIZON_MS;
    const byShop = new Map<string | null, Campaign[]>();
    for (const campaign of await this.source.campaignsEndingAfter(new Date(horizon))) {
      if (campaign.skuIds) Object.freeze(campaign.skuIds);
      const shopCampaigns = byShop.get(campaign.shopId) ?? [];
      shopCampaigns.push(Object.freeze(campaign));
      byShop.set(campaign.shopId, shopCampaigns);
    }
    return { horizon, byShop };
  }
}
