import type { DeductionStrategy } from "./inventory.contract";
import type { Allocation, OrderAmounts } from "./money-shapes";

/** One cart line as the order service hands it to pricing (SKU facts come from inventory). */
export interface PriceLineInput {
  lineId: string;
  skuId: string;
  shopId: string;
  category: string;
  unitPriceMinor: number;
  quantity: number;
  deductionStrategy: DeductionStrategy;
}

/** `promotion.price`: the full breakdown of a checkout, with no side effects (also `POST /checkout/quote`). */
export interface PriceParams {
  buyerId: string;
  lines: PriceLineInput[];
  couponIds?: string[];
  coins?: number;
  /** ISO time the price is computed at (validity windows, campaigns). */
  at: string;
}

/** A priced line: every discount share allocated to it, and what it and each unit actually pay. */
export interface PricedLine {
  lineId: string;
  skuId: string;
  shopId: string;
  quantity: number;
  unitPriceMinor: number;
  goodsMinor: number;
  allocations: Allocation[];
  paidMinor: number;
  /** Per-unit paid amounts (largest remainder of paidMinor over quantity), summing to paidMinor. */
  unitPaidMinor: number[];
  /** The SKU's strategy, or the campaign's override. */
  deductionStrategy: DeductionStrategy;
  campaignId: string | null;
}

/** One recorded step of the calculation (DOMAIN.md 7: each step recorded). */
export interface PriceStep {
  step:
    | "LIST_PRICE"
    | "ITEM_PROMOTION"
    | "MEMBER_BENEFIT"
    | "SHOP_THRESHOLD"
    | "SHOP_COUPON"
    | "PLATFORM_COUPON"
    | "COINS"
    | "SHIPPING";
  shopId: string | null;
  sourceId: string | null;
  amountMinor: number;
  description: string;
}

/** The price of one child order (one shop). */
export interface ShopPrice {
  shopId: string;
  lines: PricedLine[];
  amounts: OrderAmounts;
  /** Shortest payment timeout of the campaigns applied (flash sales), in ms; null = the order type's default. */
  paymentTimeoutMs: number | null;
}

export interface PriceResult {
  currency: "CNY";
  shops: ShopPrice[];
  totals: OrderAmounts;
  couponIds: string[];
  coinsUsed: number;
  memberTier: string | null;
  steps: PriceStep[];
}

/**
 * `promotion.lock`: locks the coupons and deducts the coins of a checkout, keyed by the parent order number.
 * Idempotent per lockId. Errors: COUPON_UNAVAILABLE {couponId}, INSUFFICIENT_COINS {coins}.
 */
export interface LockParams {
  lockId: string;
  buyerId: string;
  couponIds: string[];
  coins: number;
}

/** `promotion.unlock {lockId}`: returns coupons and coins; idempotent. `promotion.redeem {lockId}` marks coupons used. */
export interface UnlockParams {
  lockId: string;
  reason: string;
}
