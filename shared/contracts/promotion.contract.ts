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
  /** Re-pricing a checkout already locked: coupons and coins held by this lock count as the buyer's. */
  lockId?: string;
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
    | "PLATFORM_CAMPAIGN"
    | "PLATFORM_COUPON"
    | "COINS"
    | "SHIPPING";
  shopId: string | null;
  /** The line a per-line step (list price, item promotion, member benefit) applies to. */
  lineId?: string;
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
  /** Longest auto-confirm wait of the campaigns applied (festival campaigns), in ms; null = the order type's. */
  autoConfirmMs: number | null;
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
 * Idempotent per lockId. Errors: COUPON_NOT_FOUND / COUPON_UNAVAILABLE / COUPON_EXPIRED / COUPON_LIMIT_EXCEEDED
 * {couponId}, INSUFFICIENT_COINS {field: "coins", balance}, CONFLICT {lockId} (same id, other checkout),
 * INVALID_TRANSITION {lockId, state: "RELEASED"} (the lock was already compensated; nothing is held).
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

/** What `promotion.lock`, `promotion.unlock` and `promotion.redeem` answer: the lock as it now stands. */
export interface LockResult {
  lockId: string;
  status: "HELD" | "RELEASED" | "REDEEMED";
  couponIds: string[];
  coins: number;
  /** False when the call found the work already done (a retry) or nothing held. */
  changed: boolean;
}

/**
 * `promotion.releasePart`: returns one part of a held lock while the rest stays held (a child order closed
 * before payment, its siblings still open): those of `couponIds` that are this lock's, and `coins`, at most
 * what the lock still holds. Idempotent per (lockId, partId). On a RELEASED lock a new part returns nothing
 * (unlock returned everything); on a REDEEMED one it is INVALID_TRANSITION {lockId, state, event};
 * an unknown lockId is NOT_FOUND.
 */
export interface ReleasePartParams {
  lockId: string;
  /** The part's stable id (the closed child's order number): a second call with it changes nothing. */
  partId: string;
  couponIds: string[];
  coins: number;
  reason: string;
}

/** What `promotion.releasePart` answers: what this part returned, and the lock's status. */
export interface ReleasePartResult {
  lockId: string;
  partId: string;
  status: LockResult["status"];
  couponIds: string[];
  coins: number;
  /** False when the part was released before (a retry) or the lock held nothing more. */
  changed: boolean;
}

/** `promotion.redeem {lockId}`: LOCKED coupons become USED once the order is paid; idempotent. NOT_FOUND when nothing was ever locked. */
export interface RedeemParams {
  lockId: string;
}

/**
 * `promotion.restore`: gives back part of a REDEEMED lock after a refund (after-sales): those of
 * `couponIds` that this lock used go USED -> AVAILABLE (a coupon past its validity window stays USED and is
 * listed in `expiredCouponIds`), and `coins` are credited back to the buyer with a RESTORE ledger entry, at
 * most what the lock took minus what earlier restores gave back. Idempotent per (lockId, partId): a retry
 * answers the first result with `changed: false`. Errors: NOT_FOUND {lockId}; INVALID_TRANSITION
 * {lockId, state, event: "restore"} on a lock that is not REDEEMED; VALIDATION_FAILED {field: "couponIds"}
 * for a coupon that is not this lock's.
 */
export interface RestoreParams {
  lockId: string;
  /** The after-sales request's number: a second call with it changes nothing. */
  partId: string;
  couponIds: string[];
  coins: number;
  reason: string;
}
export interface RestoreResult {
  lockId: string;
  partId: string;
  couponIds: string[];
  expiredCouponIds: string[];
  coins: number;
  changed: boolean;
}

/** One merchant price change of a line: the new unit price before order-level discounts. */
export interface PriceAdjustmentLine {
  lineId: string;
  unitPriceMinor: number;
}

/**
 * `promotion.reprice`: a merchant price change before payment (API.md price-adjustments) -> the new ShopPrice.
 * The cut is a SHOP-funded PRICE_ADJUSTMENT share; order-level discount totals are kept and re-allocated.
 * Errors: VALIDATION_FAILED {field: "lines[i].unitPriceMinor", maxUnitPriceMinor}, PAYABLE_NEGATIVE.
 */
export interface RepriceParams {
  shopPrice: ShopPrice;
  adjustments: PriceAdjustmentLine[];
  shippingFeeMinor?: number;
  /** Names the adjustment in the allocations' sourceId (e.g. the timeline entry id); default "MERCHANT". */
  adjustmentId?: string;
}
