import type { Minor } from "../money";

/** Who pays for a discount share: the platform owes the merchant for PLATFORM-funded shares at settlement. */
export type Funder = "PLATFORM" | "SHOP";

/** The kinds of discount share allocated to a line (DOMAIN.md section 7). */
export type AllocationKind =
  | "ITEM_PROMOTION"
  | "MEMBER_BENEFIT"
  | "SHOP_THRESHOLD"
  | "SHOP_COUPON"
  | "PLATFORM_COUPON"
  | "PLATFORM_CAMPAIGN"
  | "COINS"
  | "PRICE_ADJUSTMENT";

/** One discount share on one line. `sourceId` names the campaign, coupon, tier or adjustment. */
export interface Allocation {
  kind: AllocationKind;
  sourceId: string;
  funder: Funder;
  amountMinor: Minor;
}

/** The amounts of one child order, or of a whole checkout (API.md "amounts"). */
export interface OrderAmounts {
  goodsMinor: Minor;
  itemDiscountMinor: Minor;
  memberDiscountMinor: Minor;
  shopDiscountMinor: Minor;
  couponDiscountMinor: Minor;
  coinsDeductionMinor: Minor;
  shippingFeeMinor: Minor;
  payableMinor: Minor;
  /** Platform threshold campaigns (跨店满减, PLATFORM_CAMPAIGN shares); promotion always sets it. */
  platformDiscountMinor?: Minor;
  /** Merchant price cuts before payment (PRICE_ADJUSTMENT shares); promotion always sets it. */
  priceAdjustmentMinor?: Minor;
}
