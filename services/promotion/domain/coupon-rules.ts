import type { PriceStep } from "../../../shared/contracts/promotion.contract";
import { OmsError } from "../../../shared/errors";
import type { Coupon, CouponTemplate, CouponViewStatus } from "./promotion.types";
import { allocateOver, amountOf, type WorkLine } from "./work-line";

/** Whether `now` is inside a coupon's window: validFrom inclusive, validTo exclusive. */
export const isWithinWindow = (coupon: CouponTemplate, now: Date): boolean =>
  coupon.validFrom.getTime() <= now.getTime() && now.getTime() < coupon.validTo.getTime();

/** The status a buyer sees: an AVAILABLE coupon past its window is EXPIRED. */
export const viewStatusOf = (coupon: Coupon, now: Date): CouponViewStatus =>
  coupon.status === "AVAILABLE" && now.getTime() >= coupon.validTo.getTime() ? "EXPIRED" : coupon.status;

/**
 * The coupons of a checkout, in the order asked, checked before any is applied: each exists
 * (COUPON_NOT_FOUND), is the buyer's and AVAILABLE (COUPON_UNAVAILABLE: someone else's coupon is not
 * told apart from a locked one), is inside its window (COUPON_EXPIRED), and there is at most one SHOP
 * coupon per shop and one PLATFORM coupon (COUPON_LIMIT_EXCEEDED).
 */
export function usableCoupons(
  couponIds: readonly string[],
  found: readonly Coupon[],
  buyerId: string,
  now: Date,
): Coupon[] {
  const byId = new Map(found.map((coupon) => [coupon.couponId, coupon]));
  const coupons = couponIds.map((couponId) => {
    const coupon = byId.get(couponId);
    if (!coupon) throw new OmsError("COUPON_NOT_FOUND", `Coupon ${couponId} does not exist`, { couponId });
    if (coupon.ownerId !== buyerId || coupon.status !== "AVAILABLE") {
      throw new OmsError("COUPON_UNAVAILABLE", `Coupon ${couponId} cannot be used`, { couponId });
    }
    if (!isWithinWindow(coupon, now)) {
      throw new OmsError("COUPON_EXPIRED", `Coupon ${couponId} is not valid now`, {
        couponId,
        validFrom: coupon.validFrom.toISOString(),
        validTo: coupon.validTo.toISOString(),
      });
    }
    return coupon;
  });
  const seen = new Set<string>();
  for (const coupon of coupons) {
    const slot = coupon.scope === "PLATFORM" ? "PLATFORM" : `SHOP:${coupon.shopId}`;
    if (seen.has(slot)) {
      throw new OmsError(
        "COUPON_LIMIT_EXCEEDED",
        "At most one shop coupon per shop and one platform coupon",
        {
          couponId: coupon.couponId,
          scope: coupon.scope,
          shopId: coupon.shopId,
        },
      );
    }
    seen.add(slot);
  }
  return coupons;
}

/** Whether a coupon's scope covers a line: its shop (or shops), and its SKUs or categories when it names any. */
export function couponReachesLine(coupon: CouponTemplate, line: WorkLine): boolean {
  const { shopId, skuId, category } = line.input;
  if (coupon.scope === "SHOP" && coupon.shopId !== shopId) return false;
  if (coupon.scope === "PLATFORM" && coupon.shopIds !== null && !coupon.shopIds.includes(shopId))
    return false;
  if (coupon.skuIds === null && coupon.categories === null) return true;
  return (coupon.skuIds?.includes(skuId) ?? false) || (coupon.categories?.includes(category) ?? false);
}

/**
 * Step 5: one coupon over the eligible lines (in scope, not exclusive): COUPON_NOT_APPLICABLE when none,
 * COUPON_THRESHOLD_NOT_MET when they cost less than the threshold; the discount is capped at what they cost.
 */
export function applyCoupon(coupon: Coupon, lines: readonly WorkLine[], steps: PriceStep[]): void {
  const eligible = lines.filter((line) => !line.exclusive && couponReachesLine(coupon, line));
  if (eligible.length === 0) {
    throw new OmsError("COUPON_NOT_APPLICABLE", `Coupon ${coupon.couponId} covers nothing in this checkout`, {
      couponId: coupon.couponId,
    });
  }
  const base = amountOf(eligible);
  if (base < coupon.thresholdMinor) {
    throw new OmsError(
      "COUPON_THRESHOLD_NOT_MET",
      `Coupon ${coupon.couponId} needs ${coupon.thresholdMinor}`,
      {
        couponId: coupon.couponId,
        thresholdMinor: coupon.thresholdMinor,
        eligibleMinor: base,
      },
    );
  }
  const discount = Math.min(coupon.discountMinor, base);
  const shop = coupon.scope === "SHOP";
  allocateOver(
    eligible,
    discount,
    shop ? "SHOP_COUPON" : "PLATFORM_COUPON",
    coupon.couponId,
    shop ? "SHOP" : "PLATFORM",
  );
  steps.push({
    step: shop ? "SHOP_COUPON" : "PLATFORM_COUPON",
    shopId: coupon.shopId,
    sourceId: coupon.couponId,
    amountMinor: discount,
    description: `coupon ${coupon.thresholdMinor} off ${coupon.discountMinor}`,
  });
}
