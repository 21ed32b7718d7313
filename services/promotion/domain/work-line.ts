import type {
  Allocation,
  AllocationKind,
  Funder,
  OrderAmounts,
} from "../../../shared/contracts/money-shapes";
import type { PricedLine, PriceLineInput } from "../../../shared/contracts/promotion.contract";
import { allocate, sumMinor } from "../../../shared/money";
import type { Campaign } from "./promotion.types";

/** A line while it is being priced: `amountMinor` is what it costs after the steps applied so far. */
export interface WorkLine {
  readonly input: PriceLineInput;
  readonly goodsMinor: number;
  amountMinor: number;
  readonly allocations: Allocation[];
  itemCampaign: Campaign | null;
  /** An exclusive item campaign won: the line takes no member benefit, threshold discount or coupon. */
  exclusive: boolean;
}

/** Discounts that belong to the line itself; every other kind is an order-level share. */
export const LINE_LEVEL_KINDS: readonly AllocationKind[] = [
  "ITEM_PROMOTION",
  "MEMBER_BENEFIT",
  "PRICE_ADJUSTMENT",
];

/** Takes `amountMinor` off one line and records the share (nothing is recorded for zero). */
export function applyShare(
  line: WorkLine,
  kind: AllocationKind,
  sourceId: string,
  funder: Funder,
  amountMinor: number,
): void {
  if (amountMinor === 0) return;
  if (amountMinor < 0 || amountMinor > line.amountMinor) {
    throw new Error(`share ${amountMinor} of ${kind} does not fit line ${line.input.lineId}`);
  }
  line.amountMinor -= amountMinor;
  const same = line.allocations.find(
    (a) => a.kind === kind && a.sourceId === sourceId && a.funder === funder,
  );
  if (same) same.amountMinor += amountMinor;
  else line.allocations.push({ kind, sourceId, funder, amountMinor });
}

/**
 * Allocates an order-level discount over `lines` in proportion to their current amounts (largest remainder,
 * ties by line order). The caller caps `totalMinor` at the lines' sum, so no share exceeds its line.
 */
export function allocateOver(
  lines: readonly WorkLine[],
  totalMinor: number,
  kind: AllocationKind,
  sourceId: string,
  funder: Funder,
): void {
  const shares = allocate(
    totalMinor,
    lines.map((line) => line.amountMinor),
  );
  lines.forEach((line, index) => {
    applyShare(line, kind, sourceId, funder, shares[index] ?? 0);
  });
}

/** The sum of the lines' current amounts. */
export const amountOf = (lines: readonly WorkLine[]): number =>
  sumMinor(lines.map((line) => line.amountMinor));

/** The finished line: paid = goods - its shares, split over units by largest remainder. */
export function toPricedLine(line: WorkLine): PricedLine {
  const { input } = line;
  return {
    lineId: input.lineId,
    skuId: input.skuId,
    shopId: input.shopId,
    quantity: input.quantity,
    unitPriceMinor: input.unitPriceMinor,
    goodsMinor: line.goodsMinor,
    allocations: line.allocations.map((a) => ({ ...a })),
    paidMinor: line.amountMinor,
    unitPaidMinor: allocate(line.amountMinor, new Array<number>(input.quantity).fill(1)),
    deductionStrategy: line.itemCampaign?.deductionStrategy ?? input.deductionStrategy,
    campaignId: line.itemCampaign?.campaignId ?? null,
  };
}

const AMOUNT_FIELD: Record<AllocationKind, keyof OrderAmounts> = {
  ITEM_PROMOTION: "itemDiscountMinor",
  MEMBER_BENEFIT: "memberDiscountMinor",
  SHOP_THRESHOLD: "shopDiscountMinor",
  SHOP_COUPON: "couponDiscountMinor",
  PLATFORM_COUPON: "couponDiscountMinor",
  PLATFORM_CAMPAIGN: "platformDiscountMinor",
  COINS: "coinsDeductionMinor",
  PRICE_ADJUSTMENT: "priceAdjustmentMinor",
};

/** A child order's amounts from its priced lines: payable = goods - every share + shipping. */
export function amountsOf(lines: readonly PricedLine[], shippingFeeMinor: number): OrderAmounts {
  const amounts = zeroAmounts();
  for (const line of lines) {
    amounts.goodsMinor += line.goodsMinor;
    for (const share of line.allocations) {
      const field = AMOUNT_FIELD[share.kind];
      amounts[field] = (amounts[field] ?? 0) + share.amountMinor;
    }
  }
  amounts.shippingFeeMinor = shippingFeeMinor;
  amounts.payableMinor = sumMinor([...lines.map((line) => line.paidMinor), shippingFeeMinor]);
  return amounts;
}

/** Field-by-field sum of several amounts (the checkout totals from its child orders). */
export function sumAmounts(list: readonly OrderAmounts[]): OrderAmounts {
  const total = zeroAmounts();
  for (const amounts of list) {
    for (const key of Object.keys(total) as (keyof OrderAmounts)[]) {
      total[key] = (total[key] ?? 0) + (amounts[key] ?? 0);
    }
  }
  return total;
}

function zeroAmounts(): Required<OrderAmounts> {
  return {
    goodsMinor: 0,
    itemDiscountMinor: 0,
    memberDiscountMinor: 0,
    shopDiscountMinor: 0,
    couponDiscountMinor: 0,
    platformDiscountMinor: 0,
    priceAdjustmentMinor: 0,
    coinsDeductionMinor: 0,
    shippingFeeMinor: 0,
    payableMinor: 0,
  };
}
