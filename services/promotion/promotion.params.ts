import { CAMPAIGN_KINDS, COUPON_SCOPES } from "./domain/promotion.types";

/** Parameter schemas of the promotion actions (Moleculer's validator: 422 VALIDATION_FAILED naming the field). */

const ID = { type: "string", min: 1, max: 64 };
const OPTIONAL_ID = { ...ID, optional: true };
const MONEY = { type: "number", integer: true, min: 0, max: Number.MAX_SAFE_INTEGER };
const OPTIONAL_MONEY = { ...MONEY, optional: true };
const TIME = { type: "date", convert: true };
const ID_LIST = { type: "array", items: ID, max: 500, optional: true };
const STRATEGY = { type: "enum", values: ["RESERVE_ON_ORDER", "DEDUCT_ON_PAYMENT"] };
const TIER = { type: "string", pattern: /^[A-Z][A-Z0-9_]{0,31}$/ };
const FUNDER = { type: "enum", values: ["PLATFORM", "SHOP"] };

const PRICE_LINE = {
  type: "object",
  props: {
    lineId: ID,
    skuId: ID,
    shopId: ID,
    category: { type: "string", max: 64 },
    unitPriceMinor: MONEY,
    quantity: { type: "number", integer: true, min: 1, max: 100_000 },
    deductionStrategy: STRATEGY,
  },
};

/** `promotion.price`: PriceParams. */
export const PRICE_PARAMS = {
  buyerId: ID,
  lines: { type: "array", min: 1, max: 200, items: PRICE_LINE },
  couponIds: { type: "array", items: ID, max: 10, unique: true, optional: true },
  coins: OPTIONAL_MONEY,
  at: TIME,
  lockId: OPTIONAL_ID,
};

/** `promotion.quote`: PriceParams where a buyer caller stands for `buyerId` and `at` defaults to now. */
export const QUOTE_PARAMS = { ...PRICE_PARAMS, buyerId: OPTIONAL_ID, at: { ...TIME, optional: true } };

const PRICED_LINE = {
  type: "object",
  props: {
    lineId: ID,
    quantity: { type: "number", integer: true, min: 1, max: 100_000 },
    goodsMinor: MONEY,
    paidMinor: MONEY,
    allocations: {
      type: "array",
      items: {
        type: "object",
        props: { kind: "string", sourceId: "string", funder: FUNDER, amountMinor: MONEY },
      },
    },
  },
};

/** `promotion.reprice`: RepriceParams (the ShopPrice as the order stored it). */
export const REPRICE_PARAMS = {
  shopPrice: {
    type: "object",
    props: {
      shopId: ID,
      lines: { type: "array", min: 1, items: PRICED_LINE },
      amounts: { type: "object", props: { shippingFeeMinor: MONEY } },
    },
  },
  adjustments: {
    type: "array",
    max: 200,
    items: { type: "object", props: { lineId: ID, unitPriceMinor: MONEY } },
  },
  shippingFeeMinor: OPTIONAL_MONEY,
  adjustmentId: OPTIONAL_ID,
};

/** `promotion.lock`: LockParams. */
export const LOCK_PARAMS = {
  lockId: ID,
  buyerId: ID,
  couponIds: { type: "array", items: ID, max: 10, unique: true },
  coins: MONEY,
};

/** `promotion.unlock`: UnlockParams. */
export const UNLOCK_PARAMS = { lockId: ID, reason: { type: "string", min: 1, max: 200 } };

/** `promotion.releasePart`: ReleasePartParams (a whole number of coins, never negative). */
export const RELEASE_PART_PARAMS = {
  lockId: ID,
  partId: ID,
  couponIds: LOCK_PARAMS.couponIds,
  coins: MONEY,
  reason: UNLOCK_PARAMS.reason,
};

/** `promotion.restore`: RestoreParams (a whole number of coins, never negative). */
export const RESTORE_PARAMS = { ...RELEASE_PART_PARAMS };

/** `POST /campaigns`. */
export const CAMPAIGN_PARAMS = {
  campaignId: ID,
  kind: { type: "enum", values: [...CAMPAIGN_KINDS] },
  shopId: OPTIONAL_ID,
  skuIds: ID_LIST,
  thresholdMinor: OPTIONAL_MONEY,
  discountMinor: OPTIONAL_MONEY,
  percentOff: { type: "number", integer: true, min: 1, max: 99, optional: true },
  flashPriceMinor: OPTIONAL_MONEY,
  startsAt: TIME,
  endsAt: TIME,
  exclusive: { type: "boolean", optional: true },
  paymentTimeout: { type: "string", max: 16, optional: true },
  autoConfirmAfter: { type: "string", max: 16, optional: true },
  deductionStrategy: { ...STRATEGY, optional: true },
  priority: { type: "number", integer: true, min: -1000, max: 1000, optional: true },
};

/** `POST /coupon-templates`. */
export const TEMPLATE_PARAMS = {
  templateId: ID,
  scope: { type: "enum", values: [...COUPON_SCOPES] },
  shopId: OPTIONAL_ID,
  shopIds: ID_LIST,
  thresholdMinor: MONEY,
  discountMinor: MONEY,
  validFrom: TIME,
  validTo: TIME,
  skuIds: ID_LIST,
  categories: ID_LIST,
};

/** `POST /coupon-templates/:templateId/issue`; `couponId` (optional) makes a retry return the same coupon. */
export const ISSUE_PARAMS = { templateId: ID, userId: ID, couponId: OPTIONAL_ID };

/** `PUT /members/:userId`. */
export const MEMBER_TIER_PARAMS = { userId: ID, tier: TIER };

/** `POST /members/:userId/coins`: a signed, non-zero delta. */
export const COINS_PARAMS = {
  userId: ID,
  delta: { type: "number", integer: true, min: -1e12, max: 1e12 },
  reason: { type: "string", min: 1, max: 200 },
};

/** `PUT /admin/member-tiers/:tier`. */
export const TIER_BENEFIT_PARAMS = {
  tier: TIER,
  percent: { type: "number", integer: true, min: 1, max: 100 },
  stacksWithItemPromotion: { type: "boolean", optional: true },
};

/** `PUT /shops/:shopId/shipping`: freeOverMinor null means never free. */
export const SHIPPING_PARAMS = {
  shopId: ID,
  feeMinor: MONEY,
  freeOverMinor: { ...MONEY, nullable: true, optional: true },
};

/** `PUT /admin/coins-policy`. */
export const COINS_POLICY_PARAMS = {
  coinsPerYuan: { type: "number", integer: true, min: 1, max: 1_000_000 },
  capPercent: { type: "number", integer: true, min: 0, max: 100 },
};

/** `GET /me/coupons?status=&limit=&cursor=`. */
export const MY_COUPONS_PARAMS = {
  status: { type: "enum", values: ["AVAILABLE", "LOCKED", "USED", "EXPIRED"], optional: true },
  limit: { type: "number", integer: true, min: 1, max: 100, convert: true, optional: true },
  cursor: { type: "string", pattern: /^[0-9]{1,18}$/, optional: true },
};
