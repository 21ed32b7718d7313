import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { type Caller, callerOf } from "../../shared/contracts/caller";
import type {
  LockParams,
  ReleasePartParams,
  RepriceParams,
  RestoreParams,
  UnlockParams,
} from "../../shared/contracts/promotion.contract";
import { OmsError, validationFailed } from "../../shared/errors";
import { type PersistentServiceVars, persistentService } from "../../shared/service/persistent-service.mixin";
import { PricingConfigCache } from "./cache/pricing-config";
import { type CampaignInput, campaignFromInput, campaignView } from "./domain/campaign-rules";
import {
  type CouponTemplateInput,
  couponView,
  templateFromInput,
  templateView,
} from "./domain/coupon-template";
import { priceCheckout } from "./domain/price-checkout";
import type { CoinsPolicy, CouponViewStatus, MemberBenefit, ShippingRule } from "./domain/promotion.types";
import { repriceForAdjustment } from "./domain/reprice";
import { assertScopeAccess, quoteBuyerOf } from "./promotion.access";
import { CONFIG_CHANGED, type ConfigChange } from "./promotion.events";
import * as P from "./promotion.params";
import { insertCampaign } from "./store/campaign.repo";
import { getTemplate, insertTemplate, issueCoupon, ownerCoupons } from "./store/coupon.repo";
import { lockPromotions, redeemPromotions, unlockPromotions } from "./store/lock.repo";
import { releaseLockPart } from "./store/lock-part.repo";
import { restoreLockPart } from "./store/lock-restore.repo";
import { adjustCoins, coinsBalanceOf, memberBenefitOf, setMemberTier, upsertTier } from "./store/member.repo";
import { loadPricingInput, type PriceQuery, pricingConfigSource } from "./store/pricing-data.repo";
import { setCoinsPolicy, setShopShipping } from "./store/settings.repo";

type Meta = { user?: Caller };
type Ctx<P> = Context<P, Meta>;
interface PromotionVars extends PersistentServiceVars {
  config: PricingConfigCache;
}
interface PromotionMethods {
  configChanged(change: ConfigChange): Promise<void>;
}

/** Campaigns, coupons, member tiers, coins, price calculation and discount allocation. */
const promotionService: ServiceSchema<ServiceSettingSchema, PromotionMethods, PromotionVars> = {
  name: "promotion",
  mixins: [persistentService("promotion")],

  actions: {
    /** The full price breakdown of a checkout (DOMAIN.md 7), no side effects; called by the order service. */
    price: {
      visibility: "public",
      params: P.PRICE_PARAMS,
      async handler(ctx: Ctx<PriceQuery>) {
        return priceCheckout(await loadPricingInput(this.pool, this.config, ctx.params), ctx.params.at);
      },
    },

    /** Same as price for a buyer caller (their own id, now by default): the checkout quote. */
    quote: {
      visibility: "public",
      params: P.QUOTE_PARAMS,
      async handler(ctx: Ctx<Omit<PriceQuery, "buyerId" | "at"> & { buyerId?: string; at?: Date }>) {
        const query = { ...ctx.params, buyerId: quoteBuyerOf(ctx.meta.user, ctx.params.buyerId) };
        const at = ctx.params.at ?? new Date();
        return priceCheckout(await loadPricingInput(this.pool, this.config, { ...query, at }), at);
      },
    },

    /** A merchant's price change before payment: re-allocates the child order's discounts. */
    reprice: {
      visibility: "public",
      params: P.REPRICE_PARAMS,
      handler(ctx: Ctx<RepriceParams>) {
        const { shopPrice, adjustments, shippingFeeMinor, adjustmentId } = ctx.params;
        return repriceForAdjustment(shopPrice, adjustments, shippingFeeMinor, adjustmentId);
      },
    },

    /** Locks a checkout's coupons and holds its coins; idempotent per lockId. */
    lock: {
      visibility: "public",
      params: P.LOCK_PARAMS,
      handler(ctx: Ctx<LockParams>) {
        return lockPromotions(this.pool, ctx.params, new Date());
      },
    },

    /** Returns what a lock still holds (after released parts); idempotent, a no-op when nothing is held. */
    unlock: {
      visibility: "public",
      params: P.UNLOCK_PARAMS,
      handler(ctx: Ctx<UnlockParams>) {
        return unlockPromotions(this.pool, ctx.params);
      },
    },

    /** Returns one closed child's coupons and coins from a held lock; idempotent per (lockId, partId). */
    releasePart: {
      visibility: "public",
      params: P.RELEASE_PART_PARAMS,
      handler(ctx: Ctx<ReleasePartParams>) {
        return releaseLockPart(this.pool, ctx.params);
      },
    },

    /** Marks a paid checkout's coupons USED; idempotent. */
    redeem: {
      visibility: "public",
      params: { lockId: P.LOCK_PARAMS.lockId },
      handler(ctx: Ctx<{ lockId: string }>) {
        return redeemPromotions(this.pool, ctx.params.lockId);
      },
    },

    /** Gives back a refunded part of a redeemed lock (coupons, coins); idempotent per (lockId, partId). */
    restore: {
      visibility: "public",
      params: P.RESTORE_PARAMS,
      handler(ctx: Ctx<RestoreParams>) {
        return restoreLockPart(this.pool, ctx.params, new Date());
      },
    },

    /** `POST /campaigns`: a shop campaign (its merchant or an admin) or a platform one (admins). */
    createCampaign: {
      params: P.CAMPAIGN_PARAMS,
      async handler(ctx: Ctx<CampaignInput>) {
        const caller = callerOf(ctx.meta);
        assertScopeAccess(caller, ctx.params.shopId ?? null);
        const campaign = campaignFromInput(ctx.params);
        await insertCampaign(this.pool, campaign, caller.userId);
        await this.configChanged({ campaigns: true });
        return campaignView(campaign);
      },
    },

    /** `POST /coupon-templates`: SHOP templates by their merchant or an admin, PLATFORM ones by admins. */
    createCouponTemplate: {
      params: P.TEMPLATE_PARAMS,
      async handler(ctx: Ctx<CouponTemplateInput>) {
        const caller = callerOf(ctx.meta);
        assertScopeAccess(caller, ctx.params.scope === "SHOP" ? (ctx.params.shopId ?? "") : null);
        const template = templateFromInput(ctx.params);
        await insertTemplate(this.pool, template, caller.userId);
        return templateView(template);
      },
    },

    /** `POST /coupon-templates/:templateId/issue`: one coupon to a buyer, while the template is still valid. */
    issueCoupon: {
      params: P.ISSUE_PARAMS,
      async handler(ctx: Ctx<{ templateId: string; userId: string; couponId?: string }>) {
        const template = await getTemplate(this.pool, ctx.params.templateId);
        assertScopeAccess(callerOf(ctx.meta), template.shopId);
        if (Date.now() >= template.validTo.getTime()) {
          throw new OmsError("COUPON_EXPIRED", "The template's validity window has ended", {
            templateId: template.templateId,
            validTo: template.validTo.toISOString(),
          });
        }
        const { templateId, userId, couponId } = ctx.params;
        return { ...(await issueCoupon(this.pool, templateId, userId, couponId)), templateId, userId };
      },
    },

    /** `PUT /members/:userId`: an admin sets a buyer's tier. */
    setMemberTier: {
      params: P.MEMBER_TIER_PARAMS,
      async handler(ctx: Ctx<{ userId: string; tier: string }>) {
        await setMemberTier(this.pool, ctx.params.userId, ctx.params.tier);
        return { userId: ctx.params.userId, ...(await memberBenefitOf(this.pool, ctx.params.userId)) };
      },
    },

    /** `POST /members/:userId/coins`: an admin grants or takes coins; the balance never goes negative. */
    adjustCoins: {
      params: P.COINS_PARAMS,
      async handler(ctx: Ctx<{ userId: string; delta: number; reason: string }>) {
        if (ctx.params.delta === 0) throw validationFailed("delta", "delta must not be zero");
        const coins = await adjustCoins(this.pool, ctx.params.userId, ctx.params.delta, ctx.params.reason);
        return { userId: ctx.params.userId, coins };
      },
    },

    /** `PUT /admin/member-tiers/:tier`: a tier's benefit and whether it stacks with item promotions. */
    setTierBenefit: {
      params: P.TIER_BENEFIT_PARAMS,
      async handler(
        ctx: Ctx<Omit<MemberBenefit, "stacksWithItemPromotion"> & { stacksWithItemPromotion?: boolean }>,
      ) {
        const benefit = await upsertTier(this.pool, { stacksWithItemPromotion: false, ...ctx.params });
        await this.configChanged({ tiers: true });
        return benefit;
      },
    },

    /** `PUT /shops/:shopId/shipping`: the shop's fee and free-shipping threshold. */
    setShopShipping: {
      params: P.SHIPPING_PARAMS,
      async handler(ctx: Ctx<{ shopId: string; feeMinor: number; freeOverMinor?: number | null }>) {
        assertScopeAccess(callerOf(ctx.meta), ctx.params.shopId);
        const rule: ShippingRule = {
          feeMinor: ctx.params.feeMinor,
          freeOverMinor: ctx.params.freeOverMinor ?? null,
        };
        await setShopShipping(this.pool, ctx.params.shopId, rule);
        await this.configChanged({ shopId: ctx.params.shopId });
        return { shopId: ctx.params.shopId, ...rule };
      },
    },

    /** `PUT /admin/coins-policy`: coins per yuan and the cap in percent of the goods payable. */
    setCoinsPolicy: {
      params: P.COINS_POLICY_PARAMS,
      async handler(ctx: Ctx<CoinsPolicy>) {
        const policy = { coinsPerYuan: ctx.params.coinsPerYuan, capPercent: ctx.params.capPercent };
        await setCoinsPolicy(this.pool, policy);
        await this.configChanged({ coinsPolicy: true });
        return policy;
      },
    },

    /** `GET /me/coupons`: the caller's coupons with AVAILABLE / LOCKED / USED / EXPIRED. */
    myCoupons: {
      params: P.MY_COUPONS_PARAMS,
      async handler(ctx: Ctx<{ status?: CouponViewStatus; limit?: number; cursor?: string }>) {
        const now = new Date();
        const query = { ...ctx.params, limit: ctx.params.limit ?? 20 };
        const page = await ownerCoupons(this.pool, callerOf(ctx.meta).userId, query, now);
        return { items: page.items.map((coupon) => couponView(coupon, now)), nextCursor: page.nextCursor };
      },
    },

    /** `GET /me/member`: the caller's tier, its benefit and coins balance. */
    myMember: {
      async handler(ctx: Ctx<unknown>) {
        const { userId } = callerOf(ctx.meta);
        const [benefit, coins] = await Promise.all([
          memberBenefitOf(this.pool, userId),
          coinsBalanceOf(this.pool, userId),
        ]);
        return {
          userId,
          tier: benefit.tier,
          benefitPercent: benefit.percent,
          stacksWithItemPromotion: benefit.stacksWithItemPromotion,
          coins,
        };
      },
    },
  },

  events: {
    /** Another pod changed pricing configuration: forget the cached copy (this pod forgot its own already). */
    [CONFIG_CHANGED]: {
      handler(ctx: Context<ConfigChange>) {
        if (ctx.nodeID !== this.broker.nodeID) this.config?.forget(ctx.params);
      },
    },
  },

  methods: {
    /** Forgets a configuration write here at once, then tells the other pods; their TTL bounds a lost broadcast. */
    async configChanged(change: ConfigChange) {
      this.config.forget(change);
      await this.broker
        .broadcast(CONFIG_CHANGED, change)
        .catch((err: unknown) => this.logger.warn("configuration change not broadcast", err));
    },
  },

  started() {
    this.config = new PricingConfigCache(pricingConfigSource(this.pool));
  },
};

export default promotionService;
