import { keyedReader } from "../../../shared/batching/keyed-reader";
import type { Queryable } from "../../../shared/db/pool";
import type { Coupon } from "../domain/promotion.types";
import { asHeldBy, COUPON_COLUMNS, type CouponRow, toCoupon } from "./coupon.repo";

/** What a price call needs to know about its buyer. */
export interface BuyerQuery {
  buyerId: string;
  couponIds: readonly string[];
  /** Read the coins balance (and what `lockId` holds) only when the checkout spends coins. */
  withCoins: boolean;
  lockId?: string;
}

/** The buyer's side of pricing: tier name (null: never given one), coins they can spend, the coupons asked for. */
export interface BuyerPricingData {
  tier: string | null;
  coinsBalance: number;
  coupons: Coupon[];
}

// Most checkouts use no coupons and no coins: their buyers' tiers are read together, one query for
// all the checkouts priced at once (one reader per pool).
const readTier = keyedReader<string, string | null>(
  async (db, buyerIds) => {
    const { rows } = await db.query<{ user_id: string; tier: string }>(
      "SELECT user_id, tier FROM member WHERE user_id = ANY($1)",
      [buyerIds],
    );
    return new Map(rows.map((r) => [r.user_id, r.tier]));
  },
  () => null,
);

type Row = Partial<CouponRow> & {
  buyer_tier: string | null;
  coins_balance?: number | null;
  held?: number | null;
};

/**
 * Reads the buyer's tier, coins balance, coins held by the checkout's own lock and the coupons asked for
 * in ONE round trip: a row of scalar subqueries, joined with the coupons (one row per coupon found). Parts
 * the checkout does not use are left out of the statement. Coupons held by `lockId` read as AVAILABLE.
 */
export async function buyerPricingData(db: Queryable, query: BuyerQuery): Promise<BuyerPricingData> {
  if (!query.withCoins && query.couponIds.length === 0)
    return { tier: await readTier(db, query.buyerId), coinsBalance: 0, coupons: [] };
  const held = query.withCoins && query.lockId !== undefined;
  const withCoupons = query.couponIds.length > 0;
  const params: unknown[] = [query.buyerId];
  const param = (value: unknown) => `$${params.push(value)}`;
  const scalars = ["(SELECT tier FROM member WHERE user_id = $1) AS buyer_tier"];
  if (query.withCoins)
    scalars.push("(SELECT balance FROM coins_account WHERE user_id = $1) AS coins_balance");
  if (held) {
    scalars.push(
      `(SELECT coins FROM promotion_lock WHERE lock_id = ${param(query.lockId)} AND buyer_id = $1
         AND status = 'HELD') AS held`,
    );
  }
  let text = `SELECT b.* FROM (SELECT ${scalars.join(", ")}) b`;
  if (withCoupons) {
    text = `SELECT b.*, ${COUPON_COLUMNS} FROM (SELECT ${scalars.join(", ")}) b
      LEFT JOIN (coupon c JOIN coupon_template t USING (template_id)) ON c.coupon_id = ANY(${param(query.couponIds)})
      ORDER BY c.coupon_id`;
  }
  // Prepared once per connection (the name stands for the text): planning the join cost more than running it.
  const name = `promotion-buyer-${query.withCoins}-${held}-${withCoupons}`;
  const { rows } = await db.query<Row>({ name, text, values: params });
  const first = rows[0] as Row;
  const coupons = rows.filter((row) => row.coupon_id != null).map((row) => toCoupon(row as CouponRow));
  return {
    tier: first.buyer_tier,
    coinsBalance: (first.coins_balance ?? 0) + (first.held ?? 0),
    coupons: asHeldBy(coupons, query.lockId),
  };
}
