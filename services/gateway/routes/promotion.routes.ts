import { ADMIN, BUYER, MERCHANT_OR_ADMIN, type RouteDef } from "./route-def";

const TAG = "Promotions";
const ids = { type: "array", items: { type: "string" } };
const money = { type: "integer", minimum: 0 };
const time = { type: "string", format: "date-time" };

/** Promotion routes (API.md "Promotions and members"): merchants for their shop, admins for the platform, buyers for /me. */
export const PROMOTION_ROUTES: readonly RouteDef[] = [
  {
    method: "POST",
    path: "/campaigns",
    action: "promotion.createCampaign",
    roles: MERCHANT_OR_ADMIN,
    summary:
      "Create a campaign: with shopId a shop campaign (its merchant), without a platform campaign (admin)",
    tag: TAG,
    status: 201,
    idempotent: true,
    body: {
      type: "object",
      required: ["campaignId", "kind", "startsAt", "endsAt"],
      properties: {
        campaignId: { type: "string" },
        kind: { type: "string", enum: ["THRESHOLD_DISCOUNT", "PERCENT_OFF", "FLASH_PRICE"] },
        shopId: { type: "string" },
        skuIds: ids,
        thresholdMinor: money,
        discountMinor: money,
        percentOff: { type: "integer", minimum: 1, maximum: 99 },
        flashPriceMinor: money,
        startsAt: time,
        endsAt: time,
        exclusive: { type: "boolean" },
        paymentTimeout: { type: "string", example: "5m" },
        deductionStrategy: { type: "string", enum: ["RESERVE_ON_ORDER", "DEDUCT_ON_PAYMENT"] },
        priority: { type: "integer" },
      },
    },
  },
  {
    method: "POST",
    path: "/coupon-templates",
    action: "promotion.createCouponTemplate",
    roles: MERCHANT_OR_ADMIN,
    summary: "Create a coupon template: SHOP scope by its merchant, PLATFORM scope by an admin",
    tag: TAG,
    status: 201,
    idempotent: true,
    body: {
      type: "object",
      required: ["templateId", "scope", "thresholdMinor", "discountMinor", "validFrom", "validTo"],
      properties: {
        templateId: { type: "string" },
        scope: { type: "string", enum: ["SHOP", "PLATFORM"] },
        shopId: { type: "string" },
        shopIds: ids,
        thresholdMinor: money,
        discountMinor: money,
        validFrom: time,
        validTo: time,
        skuIds: ids,
        categories: ids,
      },
    },
  },
  {
    method: "POST",
    path: "/coupon-templates/:templateId/issue",
    action: "promotion.issueCoupon",
    roles: MERCHANT_OR_ADMIN,
    summary: "Issue one coupon of the template to a buyer -> {couponId}",
    tag: TAG,
    status: 201,
    idempotent: true,
    body: {
      type: "object",
      required: ["userId"],
      properties: {
        userId: { type: "string" },
        couponId: { type: "string", description: "optional, for retries" },
      },
    },
  },
  {
    method: "PUT",
    path: "/members/:userId",
    action: "promotion.setMemberTier",
    roles: ADMIN,
    summary: "Set a buyer's member tier",
    tag: TAG,
    body: { type: "object", required: ["tier"], properties: { tier: { type: "string", example: "SUPER" } } },
  },
  {
    method: "POST",
    path: "/members/:userId/coins",
    action: "promotion.adjustCoins",
    roles: ADMIN,
    summary: "Grant (delta > 0) or take (delta < 0) coins; the balance never goes negative",
    tag: TAG,
    idempotent: true,
    body: {
      type: "object",
      required: ["delta", "reason"],
      properties: { delta: { type: "integer" }, reason: { type: "string" } },
    },
  },
  {
    method: "PUT",
    path: "/admin/member-tiers/:tier",
    action: "promotion.setTierBenefit",
    roles: ADMIN,
    summary: "Set a tier's benefit: pay percent % of the price; whether it stacks with item promotions",
    tag: TAG,
    body: {
      type: "object",
      required: ["percent"],
      properties: {
        percent: { type: "integer", minimum: 1, maximum: 100 },
        stacksWithItemPromotion: { type: "boolean" },
      },
    },
  },
  {
    method: "PUT",
    path: "/admin/coins-policy",
    action: "promotion.setCoinsPolicy",
    roles: ADMIN,
    summary: "Set how many coins make one yuan and the cap in percent of the goods payable",
    tag: TAG,
    body: {
      type: "object",
      required: ["coinsPerYuan", "capPercent"],
      properties: {
        coinsPerYuan: { type: "integer", minimum: 1 },
        capPercent: { type: "integer", minimum: 0, maximum: 100 },
      },
    },
  },
  {
    method: "PUT",
    path: "/shops/:shopId/shipping",
    action: "promotion.setShopShipping",
    roles: MERCHANT_OR_ADMIN,
    summary: "Set a shop's shipping fee and free-shipping threshold (null: never free)",
    tag: TAG,
    body: {
      type: "object",
      required: ["feeMinor"],
      properties: { feeMinor: money, freeOverMinor: { type: "integer", minimum: 0, nullable: true } },
    },
  },
  {
    method: "GET",
    path: "/me/coupons",
    action: "promotion.myCoupons",
    roles: BUYER,
    summary: "The caller's coupons (?status=AVAILABLE|LOCKED|USED|EXPIRED, ?limit=, ?cursor=)",
    tag: TAG,
  },
  {
    method: "GET",
    path: "/me/member",
    action: "promotion.myMember",
    roles: BUYER,
    summary: "The caller's member tier, its benefit and coins balance",
    tag: TAG,
  },
];
