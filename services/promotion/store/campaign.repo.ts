import type { Queryable } from "../../../shared/db/pool";
import { OmsError } from "../../../shared/errors";
import type { Campaign } from "../domain/promotion.types";
import { isUniqueViolation } from "./pg-errors";

interface CampaignRow {
  campaign_id: string;
  kind: Campaign["kind"];
  shop_id: string | null;
  sku_ids: string[] | null;
  threshold_minor: number | null;
  discount_minor: number | null;
  percent_off: number | null;
  flash_price_minor: number | null;
  starts_at: Date;
  ends_at: Date;
  exclusive: boolean;
  payment_timeout_ms: number | null;
  auto_confirm_ms: number | null;
  deduction_strategy: Campaign["deductionStrategy"];
  priority: number;
}

const toCampaign = (row: CampaignRow): Campaign => ({
  campaignId: row.campaign_id,
  kind: row.kind,
  shopId: row.shop_id,
  skuIds: row.sku_ids,
  thresholdMinor: row.threshold_minor,
  discountMinor: row.discount_minor,
  percentOff: row.percent_off,
  flashPriceMinor: row.flash_price_minor,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  exclusive: row.exclusive,
  paymentTimeoutMs: row.payment_timeout_ms,
  autoConfirmMs: row.auto_confirm_ms,
  deductionStrategy: row.deduction_strategy,
  priority: row.priority,
});

/** Stores a new campaign; its id is the client's, so a second create is ALREADY_EXISTS. */
export async function insertCampaign(db: Queryable, c: Campaign, createdBy: string): Promise<void> {
  try {
    await db.query(
      `INSERT INTO campaign (campaign_id, kind, shop_id, sku_ids, threshold_minor, discount_minor, percent_off,
         flash_price_minor, starts_at, ends_at, exclusive, payment_timeout_ms, deduction_strategy, priority, created_by,
         auto_confirm_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        c.campaignId,
        c.kind,
        c.shopId,
        c.skuIds,
        c.thresholdMinor,
        c.discountMinor,
        c.percentOff,
        c.flashPriceMinor,
        c.startsAt,
        c.endsAt,
        c.exclusive,
        c.paymentTimeoutMs,
        c.deductionStrategy,
        c.priority,
        createdBy,
        c.autoConfirmMs,
      ],
    );
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new OmsError("ALREADY_EXISTS", `Campaign ${c.campaignId} already exists`, {
        campaignId: c.campaignId,
      });
    }
    throw err;
  }
}

/** Campaigns running at `at` that can reach the given shops (theirs, and the platform's). */
export async function campaignsActiveAt(
  db: Queryable,
  at: Date,
  shopIds: readonly string[],
): Promise<Campaign[]> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT * FROM campaign
      WHERE starts_at <= $1 AND ends_at > $1 AND (shop_id IS NULL OR shop_id = ANY($2))
      ORDER BY campaign_id`,
    [at, shopIds],
  );
  return rows.map(toCampaign);
}

/** Every campaign still running after `horizon`, or yet to start: what the pricing cache holds. */
export async function campaignsEndingAfter(db: Queryable, horizon: Date): Promise<Campaign[]> {
  const { rows } = await db.query<CampaignRow>(
    "SELECT * FROM campaign WHERE ends_at > $1 ORDER BY campaign_id",
    [horizon],
  );
  return rows.map(toCampaign);
}
