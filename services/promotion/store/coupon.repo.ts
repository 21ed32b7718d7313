import { randomUUID } from "node:crypto";
import type { Queryable } from "../../../shared/db/pool";
import { notFound, OmsError } from "../../../shared/errors";
import type { Coupon, CouponTemplate, CouponViewStatus } from "../domain/promotion.types";
import { isUniqueViolation } from "./pg-errors";

interface TemplateRow {
  template_id: string;
  scope: CouponTemplate["scope"];
  shop_id: string | null;
  shop_ids: string[] | null;
  threshold_minor: number;
  discount_minor: number;
  valid_from: Date;
  valid_to: Date;
  sku_ids: string[] | null;
  categories: string[] | null;
}
/** A coupon joined with its template, as COUPON_COLUMNS reads it. */
export interface CouponRow extends TemplateRow {
  coupon_id: string;
  seq: number;
  owner_id: string;
  status: Coupon["status"];
  lock_id: string | null;
}

const toTemplate = (row: TemplateRow): CouponTemplate => ({
  templateId: row.template_id,
  scope: row.scope,
  shopId: row.shop_id,
  shopIds: row.shop_ids,
  thresholdMinor: row.threshold_minor,
  discountMinor: row.discount_minor,
  validFrom: row.valid_from,
  validTo: row.valid_to,
  skuIds: row.sku_ids,
  categories: row.categories,
});

/** A coupon row as the domain sees it. */
export const toCoupon = (row: CouponRow): Coupon => ({
  ...toTemplate(row),
  couponId: row.coupon_id,
  ownerId: row.owner_id,
  status: row.status,
  lockId: row.lock_id,
});

/** The columns of a CouponRow, from `coupon c JOIN coupon_template t`; named, so a new column changes no result. */
export const COUPON_COLUMNS = `c.coupon_id, c.seq, c.owner_id, c.status, c.lock_id, t.template_id, t.scope,
  t.shop_id, t.shop_ids, t.threshold_minor, t.discount_minor, t.valid_from, t.valid_to, t.sku_ids, t.categories`;
const COUPON_SELECT = `SELECT ${COUPON_COLUMNS} FROM coupon c JOIN coupon_template t USING (template_id)`;

/** Coupons LOCKED by `lockId` read as AVAILABLE: re-pricing a locked checkout counts them as the buyer's. */
export const asHeldBy = (coupons: Coupon[], lockId: string | undefined): Coupon[] =>
  lockId
    ? coupons.map((coupon) =>
        coupon.status === "LOCKED" && coupon.lockId === lockId ? { ...coupon, status: "AVAILABLE" } : coupon,
      )
    : coupons;

/** Stores a new template; a second create of the same id is ALREADY_EXISTS. */
export async function insertTemplate(db: Queryable, t: CouponTemplate, createdBy: string): Promise<void> {
  try {
    await db.query(
      `INSERT INTO coupon_template (template_id, scope, shop_id, shop_ids, threshold_minor, discount_minor,
         valid_from, valid_to, sku_ids, categories, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        t.templateId,
        t.scope,
        t.shopId,
        t.shopIds,
        t.thresholdMinor,
        t.discountMinor,
        t.validFrom,
        t.validTo,
        t.skuIds,
        t.categories,
        createdBy,
      ],
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new OmsError("ALREADY_EXISTS", `Template ${t.templateId} already exists`, {
      templateId: t.templateId,
    });
  }
}

/** A template by id; 404 NOT_FOUND naming it when there is none. */
export async function getTemplate(db: Queryable, templateId: string): Promise<CouponTemplate> {
  const { rows } = await db.query<TemplateRow>("SELECT * FROM coupon_template WHERE template_id = $1", [
    templateId,
  ]);
  if (!rows[0]) throw notFound("Coupon template", { templateId });
  return toTemplate(rows[0]);
}

/**
 * Issues one coupon of a template to a buyer. A client-chosen `couponId` makes a retry return the same
 * coupon; the same id for another template or buyer is ALREADY_EXISTS.
 */
export async function issueCoupon(
  db: Queryable,
  templateId: string,
  ownerId: string,
  couponId: string = `CPN-${randomUUID()}`,
): Promise<{ couponId: string }> {
  const inserted = await db.query(
    `INSERT INTO coupon (coupon_id, template_id, owner_id) VALUES ($1, $2, $3)
     ON CONFLICT (coupon_id) DO NOTHING RETURNING coupon_id`,
    [couponId, templateId, ownerId],
  );
  if (inserted.rowCount === 1) return { couponId };
  const { rows } = await db.query<{ template_id: string; owner_id: string }>(
    "SELECT template_id, owner_id FROM coupon WHERE coupon_id = $1",
    [couponId],
  );
  if (rows[0]?.template_id === templateId && rows[0]?.owner_id === ownerId) return { couponId };
  throw new OmsError("ALREADY_EXISTS", `Coupon ${couponId} already exists`, { couponId });
}

// The derived EXPIRED status is AVAILABLE past the window; AVAILABLE means still inside or before it.
const STATUS_FILTER: Record<CouponViewStatus, string> = {
  AVAILABLE: "c.status = 'AVAILABLE' AND t.valid_to > $2",
  EXPIRED: "c.status = 'AVAILABLE' AND t.valid_to <= $2",
  LOCKED: "c.status = 'LOCKED' AND $2::timestamptz IS NOT NULL",
  USED: "c.status = 'USED' AND $2::timestamptz IS NOT NULL",
};

/** A buyer's coupons, newest first, a page at a time (the cursor is the last coupon's sequence number). */
export async function ownerCoupons(
  db: Queryable,
  ownerId: string,
  query: { status?: CouponViewStatus; limit: number; cursor?: string },
  now: Date,
): Promise<{ items: Coupon[]; nextCursor: string | null }> {
  const filter = query.status ? STATUS_FILTER[query.status] : "$2::timestamptz IS NOT NULL";
  const { rows } = await db.query<CouponRow>(
    `${COUPON_SELECT} WHERE c.owner_id = $1 AND ${filter} AND ($3::bigint IS NULL OR c.seq < $3)
      ORDER BY c.seq DESC LIMIT $4`,
    [ownerId, now, query.cursor ?? null, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toCoupon),
    nextCursor: rows.length > query.limit && last ? String(last.seq) : null,
  };
}
