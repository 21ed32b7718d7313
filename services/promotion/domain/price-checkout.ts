import type { AllocationKind } from "../../../shared/contracts/money-shapes";
import type {
  PriceLineInput,
  PriceResult,
  PriceStep,
  ShopPrice,
} from "../../../shared/contracts/promotion.contract";
import { validationFailed } from "../../../shared/errors";
import { applyCoins } from "./coins";
import { applyCoupon, usableCoupons } from "./coupon-rules";
import { applyItemPromotions, applyMemberBenefit, isActive } from "./item-promotion";
import {
  type Campaign,
  DEFAULT_SHIPPING_RULE,
  type PricingInput,
  type ShippingRule,
} from "./promotion.types";
import { applyPlatformThreshold, applyShopThresholds } from "./threshold-discount";
import { amountOf, amountsOf, sumAmounts, toPricedLine, type WorkLine } from "./work-line";

/**
 * Prices a checkout in the order of DOMAIN.md section 7, recording every step: list price x quantity; one
 * item promotion per line; member benefit; each shop's threshold discount; shop coupons; the platform
 * threshold campaign; the platform coupon; coins; shipping per shop. Order-level discounts are allocated
 * to lines by largest remainder. Pure: the same input and `now` always give the same result.
 */
export function priceCheckout(input: PricingInput, now: Date): PriceResult {
  const steps: PriceStep[] = [];
  const lines = startLines(input.lines, steps);
  const active = input.campaigns.filter((campaign) => isActive(campaign, now));
  const coupons = usableCoupons(input.couponIds, input.coupons, input.buyerId, now);

  applyItemPromotions(lines, active, steps);
  applyMemberBenefit(lines, input.member, steps);
  const shops = groupByShop(lines);
  applyShopThresholds(shops, active, steps);
  for (const coupon of coupons.filter((c) => c.scope === "SHOP")) {
    applyCoupon(coupon, shops.get(coupon.shopId ?? "") ?? [], steps);
  }
  // Free shipping is the shop's rule on the shop's own prices: platform-funded discounts and coins
  // applied after this point must not cost the buyer the shop's free shipping.
  const shopGoods = new Map([...shops].map(([shopId, shopLines]) => [shopId, amountOf(shopLines)]));
  applyPlatformThreshold(lines, active, steps);
  for (const coupon of coupons.filter((c) => c.scope === "PLATFORM")) applyCoupon(coupon, lines, steps);
  applyCoins(lines, input.coins, input.coinsBalance, input.coinsPolicy, steps);

  const shopPrices: ShopPrice[] = [...shops].map(([shopId, shopLines]) => {
    const rule = input.shipping[shopId] ?? DEFAULT_SHIPPING_RULE;
    const goods = shopGoods.get(shopId) ?? 0;
    const feeMinor = shippingFeeOf(rule, goods);
    steps.push({
      step: "SHIPPING",
      shopId,
      sourceId: null,
      amountMinor: feeMinor,
      description:
        feeMinor === 0 ? `free shipping (goods ${goods} >= ${rule.freeOverMinor})` : "shipping fee",
    });
    const priced = shopLines.map(toPricedLine);
    return {
      shopId,
      lines: priced,
      amounts: amountsOf(priced, feeMinor),
      paymentTimeoutMs: paymentTimeoutOf(shopLines, active),
      autoConfirmMs: autoConfirmOf(shopLines, active),
    };
  });
  return {
    currency: "CNY",
    shops: shopPrices,
    totals: sumAmounts(shopPrices.map((shop) => shop.amounts)),
    couponIds: coupons.map((coupon) => coupon.couponId),
    coinsUsed: input.coins,
    memberTier: input.member?.tier ?? null,
    steps,
  };
}

/** The fee of one child order: free when the shop's goods reach `freeOverMinor`. */
export const shippingFeeOf = (rule: ShippingRule, goodsMinor: number): number =>
  rule.freeOverMinor !== null && goodsMinor >= rule.freeOverMinor ? 0 : rule.feeMinor;

// Step 1: list price x quantity; line ids must be unique so shares can be told apart.
function startLines(inputs: readonly PriceLineInput[], steps: PriceStep[]): WorkLine[] {
  if (inputs.length === 0) throw validationFailed("lines", "A checkout needs at least one line");
  const ids = new Set<string>();
  return inputs.map((input, index) => {
    if (ids.has(input.lineId)) throw validationFailed(`lines[${index}].lineId`, "Line ids must be unique");
    ids.add(input.lineId);
    const goodsMinor = input.unitPriceMinor * input.quantity;
    if (!Number.isSafeInteger(goodsMinor)) {
      throw validationFailed(`lines[${index}].quantity`, "Line amount exceeds the safe integer range");
    }
    steps.push({
      step: "LIST_PRICE",
      shopId: input.shopId,
      lineId: input.lineId,
      sourceId: input.skuId,
      amountMinor: goodsMinor,
      description: `${input.unitPriceMinor} x ${input.quantity}`,
    });
    return {
      input,
      goodsMinor,
      amountMinor: goodsMinor,
      allocations: [],
      itemCampaign: null,
      exclusive: false,
    };
  });
}

// Child orders in the order their shops first appear in the cart; lines keep their cart order.
function groupByShop(lines: readonly WorkLine[]): Map<string, WorkLine[]> {
  const shops = new Map<string, WorkLine[]>();
  for (const line of lines) {
    const shopLines = shops.get(line.input.shopId) ?? [];
    shopLines.push(line);
    shops.set(line.input.shopId, shopLines);
  }
  return shops;
}

const CAMPAIGN_KINDS_OF_SHARES: readonly AllocationKind[] = [
  "ITEM_PROMOTION",
  "SHOP_THRESHOLD",
  "PLATFORM_CAMPAIGN",
];

// The campaigns that discounted this child order.
function appliedCampaigns(lines: readonly WorkLine[], active: readonly Campaign[]): Campaign[] {
  const applied = new Set(
    lines.flatMap((line) =>
      line.allocations.filter((a) => CAMPAIGN_KINDS_OF_SHARES.includes(a.kind)).map((a) => a.sourceId),
    ),
  );
  return active.filter((campaign) => applied.has(campaign.campaignId));
}

// The shortest payment timeout among campaigns that discounted this child order (flash sales: e.g. 5 min).
function paymentTimeoutOf(lines: readonly WorkLine[], active: readonly Campaign[]): number | null {
  const timeouts = appliedCampaigns(lines, active).flatMap((c) => c.paymentTimeoutMs ?? []);
  return timeouts.length > 0 ? Math.min(...timeouts) : null;
}

// The longest auto-confirm wait among campaigns that discounted this child order (festivals: e.g. 15 days).
function autoConfirmOf(lines: readonly WorkLine[], active: readonly Campaign[]): number | null {
  const waits = appliedCampaigns(lines, active).flatMap((c) => c.autoConfirmMs ?? []);
  return waits.length > 0 ? Math.max(...waits) : null;
}
