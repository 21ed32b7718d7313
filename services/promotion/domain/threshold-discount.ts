import type { PriceStep } from "../../../shared/contracts/promotion.contract";
import { reachesLine } from "./item-promotion";
import type { Campaign } from "./promotion.types";
import { allocateOver, amountOf, type WorkLine } from "./work-line";

interface Reached {
  campaign: Campaign;
  eligible: WorkLine[];
  discountMinor: number;
}

/**
 * The best THRESHOLD_DISCOUNT campaign over `lines`: its eligible lines (in its reach, not exclusive) must
 * reach the threshold; the discount is capped at what they cost. Largest discount, then priority, then id.
 * One threshold discount per scope: tiers (300-30, 500-60) are separate campaigns, and the best one wins.
 */
function bestThreshold(campaigns: readonly Campaign[], lines: readonly WorkLine[]): Reached | null {
  let best: Reached | null = null;
  for (const campaign of campaigns) {
    const eligible = lines.filter((line) => !line.exclusive && reachesLine(campaign, line));
    const base = amountOf(eligible);
    if (eligible.length === 0 || base === 0 || base < (campaign.thresholdMinor ?? 0)) continue;
    const discountMinor = Math.min(campaign.discountMinor ?? 0, base);
    const reached = { campaign, eligible, discountMinor };
    if (!best || beats(reached, best)) best = reached;
  }
  return best;
}

function beats(a: Reached, b: Reached): boolean {
  if (a.discountMinor !== b.discountMinor) return a.discountMinor > b.discountMinor;
  if (a.campaign.priority !== b.campaign.priority) return a.campaign.priority > b.campaign.priority;
  return a.campaign.campaignId < b.campaign.campaignId;
}

/** Step 4: each shop's best threshold discount (满减) on its goods after item and member steps; SHOP-funded. */
export function applyShopThresholds(
  shops: ReadonlyMap<string, WorkLine[]>,
  active: readonly Campaign[],
  steps: PriceStep[],
): void {
  for (const [shopId, lines] of shops) {
    const campaigns = active.filter((c) => c.kind === "THRESHOLD_DISCOUNT" && c.shopId === shopId);
    const best = bestThreshold(campaigns, lines);
    if (!best) continue;
    allocateOver(best.eligible, best.discountMinor, "SHOP_THRESHOLD", best.campaign.campaignId, "SHOP");
    steps.push({
      step: "SHOP_THRESHOLD",
      shopId,
      sourceId: best.campaign.campaignId,
      amountMinor: best.discountMinor,
      description: `${best.campaign.thresholdMinor} off ${best.campaign.discountMinor}`,
    });
  }
}

/** Platform threshold campaigns (跨店满减) over every shop's goods after shop coupons; PLATFORM-funded. */
export function applyPlatformThreshold(
  lines: readonly WorkLine[],
  active: readonly Campaign[],
  steps: PriceStep[],
): void {
  const campaigns = active.filter((c) => c.kind === "THRESHOLD_DISCOUNT" && c.shopId === null);
  const best = bestThreshold(campaigns, lines);
  if (!best) return;
  allocateOver(best.eligible, best.discountMinor, "PLATFORM_CAMPAIGN", best.campaign.campaignId, "PLATFORM");
  steps.push({
    step: "PLATFORM_CAMPAIGN",
    shopId: null,
    sourceId: best.campaign.campaignId,
    amountMinor: best.discountMinor,
    description: `${best.campaign.thresholdMinor} off ${best.campaign.discountMinor} across shops`,
  });
}
