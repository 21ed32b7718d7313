import type { Allocation, AllocationKind, Funder } from "../../../shared/contracts/money-shapes";
import type {
  PriceAdjustmentLine,
  PricedLine,
  ShopPrice,
} from "../../../shared/contracts/promotion.contract";
import { OmsError, validationFailed } from "../../../shared/errors";
import { allocate, sumMinor } from "../../../shared/money";
import { allocateOver, amountOf, amountsOf, applyShare, LINE_LEVEL_KINDS, type WorkLine } from "./work-line";

// Order-level shares are re-allocated in the order pricing applied them, so each sees the amounts after the last.
const ORDER_LEVEL_ORDER: readonly AllocationKind[] = [
  "SHOP_THRESHOLD",
  "SHOP_COUPON",
  "PLATFORM_CAMPAIGN",
  "PLATFORM_COUPON",
  "COINS",
];

interface OrderLevelSource {
  kind: AllocationKind;
  sourceId: string;
  funder: Funder;
  totalMinor: number;
  lineIds: Set<string>;
}

/**
 * A merchant's price change before payment. Each adjusted line gets a new unit price: the price per unit
 * before order-level discounts (after item promotion and member benefit), never above the current one and
 * never below zero; the cut is a SHOP-funded PRICE_ADJUSTMENT share. Every order-level discount keeps its
 * total and is re-allocated over the lines that carried it, in proportion to their new amounts; when they
 * no longer cover it the change is refused with PAYABLE_NEGATIVE. Shipping is replaced when given.
 * Error fields name the REST body of API.md's price-adjustments (`lines[i].unitPriceMinor`).
 */
export function repriceForAdjustment(
  shopPrice: ShopPrice,
  adjustments: readonly PriceAdjustmentLine[],
  shippingFeeMinor?: number,
  adjustmentId = "MERCHANT",
): ShopPrice {
  const lines = shopPrice.lines.map(lineLevelOnly);
  const seen = new Set<string>();
  let cutMinor = 0;
  adjustments.forEach((adjustment, index) => {
    const line = lines.find((l) => l.input.lineId === adjustment.lineId);
    if (!line || seen.has(adjustment.lineId)) {
      throw validationFailed(`lines[${index}].lineId`, "Unknown or repeated line", {
        lineId: adjustment.lineId,
      });
    }
    seen.add(adjustment.lineId);
    const newAmount = adjustment.unitPriceMinor * line.input.quantity;
    if (!Number.isSafeInteger(newAmount) || adjustment.unitPriceMinor < 0 || newAmount > line.amountMinor) {
      throw validationFailed(`lines[${index}].unitPriceMinor`, "A price change may only lower the price", {
        lineId: adjustment.lineId,
        maxUnitPriceMinor: Math.floor(line.amountMinor / line.input.quantity),
      });
    }
    cutMinor += line.amountMinor - newAmount;
    applyShare(line, "PRICE_ADJUSTMENT", adjustmentId, "SHOP", line.amountMinor - newAmount);
  });
  const fee = shippingFeeMinor ?? shopPrice.amounts.shippingFeeMinor;
  if (!Number.isSafeInteger(fee) || fee < 0) throw validationFailed("shippingFeeMinor", "Must be >= 0");
  // Without a cut the shares stand as checkout allocated them (across every shop, for platform ones):
  // re-allocating within one child order would move fen between lines for no reason.
  if (cutMinor === 0) return { ...shopPrice, amounts: amountsOf(shopPrice.lines, fee) };
  for (const source of orderLevelSources(shopPrice.lines)) {
    const eligible = lines.filter((line) => source.lineIds.has(line.input.lineId));
    const availableMinor = amountOf(eligible);
    if (source.totalMinor > availableMinor) {
      throw new OmsError("PAYABLE_NEGATIVE", "The new prices no longer cover the discounts already given", {
        kind: source.kind,
        sourceId: source.sourceId,
        discountMinor: source.totalMinor,
        availableMinor,
      });
    }
    allocateOver(eligible, source.totalMinor, source.kind, source.sourceId, source.funder);
  }
  const priced = lines.map((line, index) => toRepricedLine(line, shopPrice.lines[index] as PricedLine));
  return { ...shopPrice, lines: priced, amounts: amountsOf(priced, fee) };
}

// A stored line back at its amount after line-level steps, keeping only those shares.
function lineLevelOnly(line: PricedLine, index: number): WorkLine {
  const shares = sumMinor(line.allocations.map((a) => a.amountMinor));
  if (shares + line.paidMinor !== line.goodsMinor) {
    throw validationFailed(
      `shopPrice.lines[${index}]`,
      "Line shares and paid amount do not add up to its goods",
    );
  }
  const allocations: Allocation[] = line.allocations
    .filter((a) => LINE_LEVEL_KINDS.includes(a.kind))
    .map((a) => ({ ...a }));
  return {
    // Scope facts (category) no longer matter: re-allocation follows the lines that carried each share.
    input: { ...line, category: "" },
    goodsMinor: line.goodsMinor,
    amountMinor: line.goodsMinor - sumMinor(allocations.map((a) => a.amountMinor)),
    allocations,
    itemCampaign: null,
    exclusive: false,
  };
}

function orderLevelSources(lines: readonly PricedLine[]): OrderLevelSource[] {
  const sources = new Map<string, OrderLevelSource>();
  for (const line of lines) {
    for (const share of line.allocations) {
      if (LINE_LEVEL_KINDS.includes(share.kind)) continue;
      const key = `${share.kind}\u0000${share.sourceId}\u0000${share.funder}`;
      const source = sources.get(key) ?? {
        kind: share.kind,
        sourceId: share.sourceId,
        funder: share.funder,
        totalMinor: 0,
        lineIds: new Set<string>(),
      };
      source.totalMinor += share.amountMinor;
      source.lineIds.add(line.lineId);
      sources.set(key, source);
    }
  }
  const rank = (kind: AllocationKind) => ORDER_LEVEL_ORDER.indexOf(kind);
  return [...sources.values()].sort((a, b) => rank(a.kind) - rank(b.kind));
}

function toRepricedLine(line: WorkLine, before: PricedLine): PricedLine {
  return {
    ...before,
    allocations: line.allocations,
    paidMinor: line.amountMinor,
    unitPaidMinor: allocate(line.amountMinor, new Array<number>(before.quantity).fill(1)),
  };
}
