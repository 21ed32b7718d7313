import type { DeductionStrategy } from "../../../shared/contracts/inventory.contract";
import type { Funder } from "../../../shared/contracts/money-shapes";
import type { PriceLineInput } from "../../../shared/contracts/promotion.contract";

export const CAMPAIGN_KINDS = ["THRESHOLD_DISCOUNT", "PERCENT_OFF", "FLASH_PRICE"] as const;
/** 满减 over a shop's (or, without a shop, the whole checkout's) goods; percent off or a flash price per line. */
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

/** A campaign as stored and priced; `shopId` null is a platform campaign (funded by the PLATFORM). */
export interface Campaign {
  campaignId: string;
  kind: CampaignKind;
  shopId: string | null;
  /** Null: every SKU in the campaign's reach (the shop, or the platform). */
  skuIds: string[] | null;
  thresholdMinor: number | null;
  discountMinor: number | null;
  percentOff: number | null;
  flashPriceMinor: number | null;
  startsAt: Date;
  endsAt: Date;
  exclusive: boolean;
  paymentTimeoutMs: number | null;
  /** How long its orders wait for auto-confirm after shipping (festival campaigns); null = the order type's. */
  autoConfirmMs: number | null;
  deductionStrategy: DeductionStrategy | null;
  priority: number;
}

export const COUPON_SCOPES = ["SHOP", "PLATFORM"] as const;
/** A SHOP coupon discounts one shop's goods; a PLATFORM coupon the whole checkout's. */
export type CouponScope = (typeof COUPON_SCOPES)[number];
/** Stored coupon states; EXPIRED is derived (AVAILABLE past its window) and never stored. */
export type CouponStatus = "AVAILABLE" | "LOCKED" | "USED";
export type CouponViewStatus = CouponStatus | "EXPIRED";

/** What every coupon of a template shares: scope, threshold, discount, validity window. */
export interface CouponTemplate {
  templateId: string;
  scope: CouponScope;
  /** The shop of a SHOP coupon; null for PLATFORM coupons. */
  shopId: string | null;
  /** PLATFORM coupons only: restrict to these shops (null: every shop). */
  shopIds: string[] | null;
  thresholdMinor: number;
  discountMinor: number;
  validFrom: Date;
  validTo: Date;
  skuIds: string[] | null;
  categories: string[] | null;
}

/** One issued coupon, owned by one buyer. */
export interface Coupon extends CouponTemplate {
  couponId: string;
  ownerId: string;
  status: CouponStatus;
  lockId: string | null;
}

/** A member tier's benefit: pay `percent` % of the price on eligible lines (100 = none). */
export interface MemberBenefit {
  tier: string;
  percent: number;
  stacksWithItemPromotion: boolean;
}

/** Coins (virtual currency): how many make one yuan, and the cap in % of the goods payable before coins. */
export interface CoinsPolicy {
  coinsPerYuan: number;
  capPercent: number;
}

/** A shop's shipping fee per child order, free when its goods reach `freeOverMinor` (null: never free). */
export interface ShippingRule {
  feeMinor: number;
  freeOverMinor: number | null;
}

/** Everything a price calculation reads, loaded by the store: pure data, no clock. */
export interface PricingInput {
  buyerId: string;
  lines: PriceLineInput[];
  /** The coupons asked for, in the buyer's order. */
  couponIds: string[];
  /** The coupon records found for `couponIds` (any order; coupons held by the caller's own lock show AVAILABLE). */
  coupons: Coupon[];
  coins: number;
  coinsBalance: number;
  /** Candidate campaigns; pricing keeps those active at `now`. */
  campaigns: Campaign[];
  member: MemberBenefit | null;
  coinsPolicy: CoinsPolicy;
  /** Per shop; a shop without a row gets DEFAULT_SHIPPING_RULE. */
  shipping: Record<string, ShippingRule>;
}

/** Defaults documented in docs/pricing.md. */
export const DEFAULT_COINS_POLICY: CoinsPolicy = { coinsPerYuan: 100, capPercent: 50 };
export const DEFAULT_SHIPPING_RULE: ShippingRule = { feeMinor: 1000, freeOverMinor: 9900 };
/** The tier of a buyer who was never given one. */
export const DEFAULT_TIER = "NORMAL";

/** Shop campaigns and coupons are paid for by the shop, platform ones by the platform. */
export const funderOf = (shopId: string | null): Funder => (shopId ? "SHOP" : "PLATFORM");
