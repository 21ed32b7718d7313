import {
  type Campaign,
  type Coupon,
  DEFAULT_COINS_POLICY,
  type PricingInput,
} from "../../../services/promotion/domain/promotion.types";
import type { OrderAmounts } from "../../../shared/contracts/money-shapes";
import type { PriceLineInput, PriceResult, ShopPrice } from "../../../shared/contracts/promotion.contract";

/** The pricing clock of the examples. */
export const NOW = new Date("2025-06-01T12:00:00Z");
const DAY = 86_400_000;

/** A cart line; DEDUCT_ON_PAYMENT and category "general" unless told. */
export const line = (
  lineId: string,
  shopId: string,
  skuId: string,
  unitPriceMinor: number,
  quantity: number,
  extra: Partial<PriceLineInput> = {},
): PriceLineInput => ({
  lineId,
  skuId,
  shopId,
  category: "general",
  unitPriceMinor,
  quantity,
  deductionStrategy: "DEDUCT_ON_PAYMENT",
  ...extra,
});

/** A campaign running from a day before NOW to a day after. */
export const campaign = (
  campaignId: string,
  fields: Partial<Campaign> & Pick<Campaign, "kind">,
): Campaign => ({
  campaignId,
  shopId: null,
  skuIds: null,
  thresholdMinor: null,
  discountMinor: null,
  percentOff: null,
  flashPriceMinor: null,
  startsAt: new Date(NOW.getTime() - DAY),
  endsAt: new Date(NOW.getTime() + DAY),
  exclusive: false,
  paymentTimeoutMs: null,
  autoConfirmMs: null,
  deductionStrategy: null,
  priority: 0,
  ...fields,
});

/** An AVAILABLE coupon of buyer B1, valid from a day before NOW to a day after. */
export const coupon = (
  couponId: string,
  fields: Partial<Coupon> & Pick<Coupon, "scope" | "thresholdMinor" | "discountMinor">,
): Coupon => ({
  couponId,
  templateId: `T-${couponId}`,
  ownerId: "B1",
  status: "AVAILABLE",
  lockId: null,
  shopId: null,
  shopIds: null,
  validFrom: new Date(NOW.getTime() - DAY),
  validTo: new Date(NOW.getTime() + DAY),
  skuIds: null,
  categories: null,
  ...fields,
});

/** A pricing input for buyer B1 with no promotions, 10 000 coins and the default policies. */
export const input = (lines: PriceLineInput[], extra: Partial<PricingInput> = {}): PricingInput => ({
  buyerId: "B1",
  lines,
  couponIds: (extra.coupons ?? []).map((c) => c.couponId),
  coupons: [],
  coins: 0,
  coinsBalance: 10_000,
  campaigns: [],
  member: null,
  coinsPolicy: DEFAULT_COINS_POLICY,
  shipping: {},
  ...extra,
});

/** The priced line with this id. */
export function lineOf(result: PriceResult | ShopPrice, lineId: string) {
  const lines = "shops" in result ? result.shops.flatMap((shop) => shop.lines) : result.lines;
  const found = lines.find((l) => l.lineId === lineId);
  if (!found) throw new Error(`no line ${lineId}`);
  return found;
}

/** Shares of one kind on a line, as amounts. */
export const sharesOf = (result: PriceResult | ShopPrice, lineId: string, kind: string) =>
  lineOf(result, lineId)
    .allocations.filter((a) => a.kind === kind)
    .map((a) => a.amountMinor);

const DISCOUNT_FIELDS: (keyof OrderAmounts)[] = [
  "itemDiscountMinor",
  "memberDiscountMinor",
  "shopDiscountMinor",
  "couponDiscountMinor",
  "platformDiscountMinor",
  "priceAdjustmentMinor",
  "coinsDeductionMinor",
];

/** Every broken money invariant of one child order, as text (empty when it adds up). */
export function shopProblems(shop: ShopPrice): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${shop.shopId}: ${what}`);
  };
  for (const l of shop.lines) {
    const shares = l.allocations.reduce((sum, a) => sum + a.amountMinor, 0);
    check(shares + l.paidMinor === l.goodsMinor, `${l.lineId} shares + paid != goods`);
    check(l.paidMinor >= 0, `${l.lineId} paid < 0`);
    check(
      l.allocations.every((a) => Number.isSafeInteger(a.amountMinor) && a.amountMinor > 0),
      `${l.lineId} share not a positive integer`,
    );
    check(l.unitPaidMinor.length === l.quantity, `${l.lineId} unit count`);
    check(l.unitPaidMinor.reduce((sum, u) => sum + u, 0) === l.paidMinor, `${l.lineId} units != paid`);
    check(Math.max(...l.unitPaidMinor) - Math.min(...l.unitPaidMinor) <= 1, `${l.lineId} units uneven`);
  }
  const a = shop.amounts;
  check(a.goodsMinor === shop.lines.reduce((sum, l) => sum + l.goodsMinor, 0), "goods != lines");
  check(
    a.payableMinor === shop.lines.reduce((sum, l) => sum + l.paidMinor, 0) + a.shippingFeeMinor,
    "payable",
  );
  const discounts = DISCOUNT_FIELDS.reduce((sum, field) => sum + (a[field] ?? 0), 0);
  check(
    a.payableMinor === a.goodsMinor - discounts + a.shippingFeeMinor,
    "payable != goods - discounts + shipping",
  );
  const allShares = shop.lines.flatMap((l) => l.allocations).reduce((sum, x) => sum + x.amountMinor, 0);
  check(discounts === allShares, "discount fields != shares");
  check(
    Object.values(a).every((value) => value >= 0),
    "negative amount",
  );
  return problems;
}

/** Expects one child order to add up. */
export function expectShopInvariants(shop: ShopPrice): void {
  expect(shopProblems(shop)).toEqual([]);
}

/** Expects a whole checkout to add up: every shop, and the totals are the sum of the shops. */
export function expectInvariants(result: PriceResult): void {
  const problems = result.shops.flatMap(shopProblems);
  for (const key of Object.keys(result.totals) as (keyof OrderAmounts)[]) {
    const sum = result.shops.reduce((total, shop) => total + (shop.amounts[key] ?? 0), 0);
    if (result.totals[key] !== sum) problems.push(`totals.${key} != sum of shops`);
  }
  expect(problems).toEqual([]);
}
