import { validationFailed } from "../../../shared/errors";
import { viewStatusOf } from "./coupon-rules";
import type { Coupon, CouponScope, CouponTemplate } from "./promotion.types";

/** `POST /coupon-templates` after the params schema checked the types (dates already converted). */
export interface CouponTemplateInput {
  templateId: string;
  scope: CouponScope;
  shopId?: string;
  shopIds?: string[];
  thresholdMinor: number;
  discountMinor: number;
  validFrom: Date;
  validTo: Date;
  skuIds?: string[];
  categories?: string[];
}

const listOrNull = (list: string[] | undefined) => (list && list.length > 0 ? [...list] : null);

/** Validates a new template (422 naming the field): a SHOP template names its shop, a PLATFORM one may name shops. */
export function templateFromInput(input: CouponTemplateInput): CouponTemplate {
  if (input.scope === "SHOP" && !input.shopId)
    throw validationFailed("shopId", "A SHOP coupon names its shop");
  if (input.scope === "SHOP" && input.shopIds)
    throw validationFailed("shopIds", "Only PLATFORM coupons list shops");
  if (input.scope === "PLATFORM" && input.shopId) {
    throw validationFailed("shopId", "A PLATFORM coupon has no shop; use shopIds to narrow it");
  }
  if (input.discountMinor < 1) throw validationFailed("discountMinor", "discountMinor must be at least 1");
  if (input.validFrom.getTime() >= input.validTo.getTime()) {
    throw validationFailed("validTo", "validTo must be after validFrom");
  }
  return {
    templateId: input.templateId,
    scope: input.scope,
    shopId: input.shopId ?? null,
    shopIds: listOrNull(input.shopIds),
    thresholdMinor: input.thresholdMinor,
    discountMinor: input.discountMinor,
    validFrom: input.validFrom,
    validTo: input.validTo,
    skuIds: listOrNull(input.skuIds),
    categories: listOrNull(input.categories),
  };
}

/** A template as the API shows it, with ISO times. */
export function templateView(template: CouponTemplate) {
  return {
    ...template,
    validFrom: template.validFrom.toISOString(),
    validTo: template.validTo.toISOString(),
  };
}

/** A buyer's coupon as `GET /me/coupons` shows it; EXPIRED is derived from the window at `now`. */
export function couponView(coupon: Coupon, now: Date) {
  const { lockId: _lockId, ownerId: _ownerId, ...rest } = coupon;
  return { ...templateView(rest), status: viewStatusOf(coupon, now) };
}
