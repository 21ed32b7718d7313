import type { Funder } from "../../../shared/contracts/money-shapes";
import { allocate } from "../../../shared/money";
import type { StoredRefundPlan } from "./after-sales";
import type { OrderLine } from "./order";

/** A line's discount shares by who funds them (DOMAIN.md 7): the platform owes the shop its part. */
export interface FundedShares {
  shopFundedMinor: number;
  platformFundedMinor: number;
}

/**
 * The discount shares of units [from, to) of a line, by funder. Each share is split over the line's
 * units by largest remainder (earlier units take the odd fen), as refunds split coins, so the parts
 * of any sequence of refunds add up to exactly the line's shares once every unit is refunded.
 */
export function fundedShares(
  line: Pick<OrderLine, "allocations" | "quantity">,
  from = 0,
  to = line.quantity,
): FundedShares {
  const units = Array.from({ length: line.quantity }, () => 1);
  const byFunder: Record<Funder, number> = { SHOP: 0, PLATFORM: 0 };
  for (const share of line.allocations) {
    const parts = allocate(share.amountMinor, units).slice(from, to);
    byFunder[share.funder] += parts.reduce((sum, part) => sum + part, 0);
  }
  return { shopFundedMinor: byFunder.SHOP, platformFundedMinor: byFunder.PLATFORM };
}

/** A refunded part of a line as the order records it for settlement: the money and the shares it reverses. */
export interface RefundedLine extends FundedShares {
  lineId: string;
  quantity: number;
  amountMinor: number;
}

/**
 * The lines a refund of what is left of a whole child order gives back (a child closed OUT_OF_STOCK
 * after payment): every unit not refunded yet, at what remains of its line's paid amount.
 */
export function remainingLines(lines: readonly OrderLine[]): RefundedLine[] {
  return lines
    .filter((line) => line.refundedQuantity < line.quantity)
    .map((line) => ({
      lineId: line.lineId,
      quantity: line.quantity - line.refundedQuantity,
      amountMinor: Math.max(0, line.paidMinor - line.refundedMinor),
      ...fundedShares(line, line.refundedQuantity, line.quantity),
    }));
}

/** The refunded lines of an after-sales refund plan (plans stored before shares were kept reverse none). */
export function plannedLines(plan: StoredRefundPlan): RefundedLine[] {
  return plan.lines.map((line) => ({
    lineId: line.lineId,
    quantity: line.quantity,
    amountMinor: line.amountMinor,
    shopFundedMinor: line.shopFundedMinor ?? 0,
    platformFundedMinor: line.platformFundedMinor ?? 0,
  }));
}

/** A shop's settlement over a period (API.md "Settlement"); every figure is the sum of its entries. */
export interface SettlementFigures {
  goodsPaidMinor: number;
  shopFundedDiscountMinor: number;
  platformFundedDiscountMinor: number;
  shippingFeeMinor: number;
  refundMinor: number;
  netSettlementMinor: number;
}

/**
 * What the shop is owed: what buyers paid for goods and shipping, plus the platform-funded discounts
 * the platform owes it, less what was refunded. Shop-funded discounts are shown, not paid: the shop
 * gave them. Refunded units reverse their discount shares, so the discount figures are net of them.
 */
export function netSettlement(f: Omit<SettlementFigures, "netSettlementMinor">): number {
  return f.goodsPaidMinor + f.platformFundedDiscountMinor + f.shippingFeeMinor - f.refundMinor;
}
