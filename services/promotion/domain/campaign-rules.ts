import type { DeductionStrategy } from "../../../shared/contracts/inventory.contract";
import { formatDuration, parseDuration } from "../../../shared/duration";
import { validationFailed } from "../../../shared/errors";
import { type Campaign, type CampaignKind, funderOf } from "./promotion.types";

/** `POST /campaigns` after the params schema checked the types (dates already converted). */
export interface CampaignInput {
  campaignId: string;
  kind: CampaignKind;
  shopId?: string;
  skuIds?: string[];
  thresholdMinor?: number;
  discountMinor?: number;
  percentOff?: number;
  flashPriceMinor?: number;
  startsAt: Date;
  endsAt: Date;
  exclusive?: boolean;
  paymentTimeout?: string;
  autoConfirmAfter?: string;
  deductionStrategy?: DeductionStrategy;
  priority?: number;
}

type KindField = "thresholdMinor" | "discountMinor" | "percentOff" | "flashPriceMinor";

// The money fields each kind needs; any other kind field is refused so a typo never silently does nothing.
const FIELDS_OF: Record<CampaignKind, readonly KindField[]> = {
  THRESHOLD_DISCOUNT: ["thresholdMinor", "discountMinor"],
  PERCENT_OFF: ["percentOff"],
  FLASH_PRICE: ["flashPriceMinor"],
};
const KIND_FIELDS: readonly KindField[] = [
  "thresholdMinor",
  "discountMinor",
  "percentOff",
  "flashPriceMinor",
];

/** Validates the kind-specific fields of a new campaign (422 naming the field) and returns it as stored. */
export function campaignFromInput(input: CampaignInput): Campaign {
  const needed = FIELDS_OF[input.kind];
  for (const field of KIND_FIELDS) {
    const present = input[field] !== undefined;
    if (needed.includes(field) && !present) throw validationFailed(field, `${input.kind} needs ${field}`);
    if (!needed.includes(field) && present)
      throw validationFailed(field, `${input.kind} does not use ${field}`);
  }
  if (input.kind === "THRESHOLD_DISCOUNT" && (input.discountMinor ?? 0) < 1) {
    throw validationFailed("discountMinor", "discountMinor must be at least 1");
  }
  if (input.kind === "PERCENT_OFF" && !((input.percentOff ?? 0) >= 1 && (input.percentOff ?? 0) <= 99)) {
    throw validationFailed("percentOff", "percentOff must be between 1 and 99");
  }
  const skuIds = input.skuIds && input.skuIds.length > 0 ? [...input.skuIds] : null;
  if (input.kind === "FLASH_PRICE" && !skuIds)
    throw validationFailed("skuIds", "A flash sale names its SKUs");
  const itemKind = input.kind !== "THRESHOLD_DISCOUNT";
  if (!itemKind && input.exclusive)
    throw validationFailed("exclusive", "Only item promotions can be exclusive");
  if (!itemKind && input.deductionStrategy) {
    throw validationFailed("deductionStrategy", "Only item promotions override the deduction strategy");
  }
  if (input.startsAt.getTime() >= input.endsAt.getTime()) {
    throw validationFailed("endsAt", "endsAt must be after startsAt");
  }
  const paymentTimeoutMs =
    input.paymentTimeout === undefined ? null : parseDuration(input.paymentTimeout, "paymentTimeout");
  if (paymentTimeoutMs === 0) throw validationFailed("paymentTimeout", "paymentTimeout must be positive");
  const autoConfirmMs =
    input.autoConfirmAfter === undefined ? null : parseDuration(input.autoConfirmAfter, "autoConfirmAfter");
  if (autoConfirmMs === 0) throw validationFailed("autoConfirmAfter", "autoConfirmAfter must be positive");
  return {
    campaignId: input.campaignId,
    kind: input.kind,
    shopId: input.shopId ?? null,
    skuIds,
    thresholdMinor: input.thresholdMinor ?? null,
    discountMinor: input.discountMinor ?? null,
    percentOff: input.percentOff ?? null,
    flashPriceMinor: input.flashPriceMinor ?? null,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    exclusive: input.exclusive ?? false,
    paymentTimeoutMs,
    autoConfirmMs,
    deductionStrategy: input.deductionStrategy ?? null,
    priority: input.priority ?? 0,
  };
}

/** A campaign as the API shows it: ISO times, the duration string back, and who funds it. */
export function campaignView(campaign: Campaign) {
  return {
    ...campaign,
    funder: funderOf(campaign.shopId),
    startsAt: campaign.startsAt.toISOString(),
    endsAt: campaign.endsAt.toISOString(),
    paymentTimeout: campaign.paymentTimeoutMs === null ? null : formatDuration(campaign.paymentTimeoutMs),
    autoConfirmAfter: campaign.autoConfirmMs === null ? null : formatDuration(campaign.autoConfirmMs),
  };
}
