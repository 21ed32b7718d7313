import type { PriceStep } from "../../../shared/contracts/promotion.contract";
import { percentOf } from "../../../shared/money";
import { type Campaign, funderOf, type MemberBenefit } from "./promotion.types";
import { applyShare, type WorkLine } from "./work-line";

/** Whether a campaign runs at `now`: startsAt inclusive, endsAt exclusive. */
export const isActive = (campaign: Campaign, now: Date): boolean =>
  campaign.startsAt.getTime() <= now.getTime() && now.getTime() < campaign.endsAt.getTime();

/** Whether a campaign reaches a line: same shop (or a platform campaign) and, if it names SKUs, the line's SKU. */
export const reachesLine = (campaign: Campaign, line: WorkLine): boolean =>
  (campaign.shopId === null || campaign.shopId === line.input.shopId) &&
  (campaign.skuIds === null || campaign.skuIds.includes(line.input.skuId));

/** What an item campaign takes off a line's goods: a flash price per unit, or percentOff % (floored). */
export function itemDiscountOf(campaign: Campaign, line: WorkLine): number {
  if (campaign.kind === "FLASH_PRICE") {
    const cut = line.input.unitPriceMinor - (campaign.flashPriceMinor ?? line.input.unitPriceMinor);
    return cut > 0 ? cut * line.input.quantity : 0;
  }
  if (campaign.kind === "PERCENT_OFF") return percentOf(line.goodsMinor, campaign.percentOff ?? 0, "FLOOR");
  return 0;
}

interface Candidate {
  campaign: Campaign;
  discountMinor: number;
}

// Exclusive campaigns win over the rest by priority; otherwise the buyer gets the largest discount.
// Campaign ids break the last ties so the same cart always prices the same.
function better(a: Candidate, b: Candidate): number {
  if (a.campaign.exclusive !== b.campaign.exclusive) return a.campaign.exclusive ? -1 : 1;
  const byPriority = b.campaign.priority - a.campaign.priority;
  const byDiscount = b.discountMinor - a.discountMinor;
  const first = a.campaign.exclusive ? byPriority || byDiscount : byDiscount || byPriority;
  return first || (a.campaign.campaignId < b.campaign.campaignId ? -1 : 1);
}

/** Step 2: at most one item promotion per line (flash price or percent off), recorded as ITEM_PROMOTION. */
export function applyItemPromotions(
  lines: readonly WorkLine[],
  active: readonly Campaign[],
  steps: PriceStep[],
) {
  const itemCampaigns = active.filter((c) => c.kind === "FLASH_PRICE" || c.kind === "PERCENT_OFF");
  for (const line of lines) {
    const candidates = itemCampaigns
      .filter((campaign) => reachesLine(campaign, line))
      .map((campaign) => ({ campaign, discountMinor: itemDiscountOf(campaign, line) }))
      .filter((candidate) => candidate.discountMinor > 0)
      .sort(better);
    const best = candidates[0];
    if (!best) continue;
    line.itemCampaign = best.campaign;
    line.exclusive = best.campaign.exclusive;
    applyShare(
      line,
      "ITEM_PROMOTION",
      best.campaign.campaignId,
      funderOf(best.campaign.shopId),
      best.discountMinor,
    );
    steps.push({
      step: "ITEM_PROMOTION",
      shopId: line.input.shopId,
      lineId: line.input.lineId,
      sourceId: best.campaign.campaignId,
      amountMinor: best.discountMinor,
      description:
        best.campaign.kind === "FLASH_PRICE"
          ? `flash price ${best.campaign.flashPriceMinor} x ${line.input.quantity}`
          : `${best.campaign.percentOff}% off${best.campaign.exclusive ? " (exclusive)" : ""}`,
    });
  }
}

/**
 * Step 3: the buyer's tier pays `percent` % of the line (discount floored) on lines without an exclusive
 * promotion, and only on lines without any item promotion unless the tier stacks. Funded by the PLATFORM.
 */
export function applyMemberBenefit(
  lines: readonly WorkLine[],
  member: MemberBenefit | null,
  steps: PriceStep[],
) {
  if (!member || member.percent >= 100) return;
  for (const line of lines) {
    if (line.exclusive || (line.itemCampaign && !member.stacksWithItemPromotion)) continue;
    const discount = percentOf(line.amountMinor, 100 - member.percent, "FLOOR");
    if (discount === 0) continue;
    applyShare(line, "MEMBER_BENEFIT", member.tier, "PLATFORM", discount);
    steps.push({
      step: "MEMBER_BENEFIT",
      shopId: line.input.shopId,
      lineId: line.input.lineId,
      sourceId: member.tier,
      amountMinor: discount,
      description: `${member.tier} pays ${member.percent}%`,
    });
  }
}
