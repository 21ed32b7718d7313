import type { Allocation } from "../../../shared/contracts/money-shapes";
import { allocate } from "../../../shared/money";

/** The facts of a child order its holds are computed from. */
export interface HoldingChild {
  orderNo: string;
  amounts: { coinsDeductionMinor: number };
  lines: readonly { allocations: readonly Allocation[] }[];
}

/** What one child order gives back when it closes while its siblings stay open. */
export interface ChildHolds {
  couponIds: string[];
  coins: number;
}

/**
 * Each child's share of the checkout's coins: `coinsUsed` split over ALL children by what coins took off each
 * (largest remainder, children in order-number order), so the shares sum exactly to `coinsUsed`.
 */
export function coinsByChild(coinsUsed: number, children: readonly HoldingChild[]): Map<string, number> {
  const ordered = [...children].sort((a, b) => (a.orderNo < b.orderNo ? -1 : a.orderNo > b.orderNo ? 1 : 0));
  const weights = ordered.map((child) => child.amounts.coinsDeductionMinor);
  // Coins no child carries cannot be attributed to one: they all stay held for the last child's unlock.
  const carried = weights.some((weight) => weight > 0);
  const shares = carried ? allocate(coinsUsed, weights) : ordered.map(() => 0);
  return new Map(ordered.map((child, index) => [child.orderNo, shares[index] ?? 0]));
}

/** The SHOP coupons on a child's lines (each once, in line order): they belong to that child alone. */
export function shopCouponsOf(child: HoldingChild): string[] {
  const ids = child.lines.flatMap((line) =>
    line.allocations.filter((a) => a.kind === "SHOP_COUPON").map((a) => a.sourceId),
  );
  return [...new Set(ids)];
}

/** What `orderNo` gives back when it closes alone: its shop coupons and its share of the checkout's coins. */
export function childHolds(
  parent: { coinsUsed: number },
  children: readonly HoldingChild[],
  orderNo: string,
): ChildHolds {
  const child = children.find((c) => c.orderNo === orderNo);
  if (!child) throw new Error(`child order ${orderNo} is not in its checkout`);
  return {
    couponIds: shopCouponsOf(child),
    coins: coinsByChild(parent.coinsUsed, children).get(orderNo) ?? 0,
  };
}
