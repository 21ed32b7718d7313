import type { OrderAddress } from "../../../shared/contracts/order.contract";
import type { Queryable } from "../../../shared/db/pool";
import type { FulfilmentLine } from "../domain/package";
import type { Replacement, ReplacementPlan } from "../domain/plan-replacement";

interface ReplacementRow {
  after_sales_no: string;
  order_no: string;
  buyer_id: string;
  address: OrderAddress;
  lines: FulfilmentLine[];
  package_ids: string[];
  created_at: Date;
}

const toReplacement = (r: ReplacementRow): Replacement => ({
  afterSalesNo: r.after_sales_no,
  orderNo: r.order_no,
  buyerId: r.buyer_id,
  address: r.address,
  lines: r.lines,
  packageIds: r.package_ids,
  createdAt: r.created_at,
});

/** An exchange's replacement, or null when none was made for it. */
export async function findReplacement(q: Queryable, afterSalesNo: string): Promise<Replacement | null> {
  const { rows } = await q.query<ReplacementRow>("SELECT * FROM replacements WHERE after_sales_no = $1", [
    afterSalesNo,
  ]);
  return rows[0] ? toReplacement(rows[0]) : null;
}

/** The highest package position of the order (0 before it has packages); call under the order's lock. */
export async function lastPosition(q: Queryable, orderNo: string): Promise<number> {
  const { rows } = await q.query<{ last: number }>(
    "SELECT COALESCE(max(position), 0)::int AS last FROM packages WHERE order_no = $1",
    [orderNo],
  );
  return rows[0]?.last ?? 0;
}

/**
 * Writes the replacement, its packages (marked with the after-sales number) and their lines in one
 * statement; false (and nothing written) when the exchange already has its replacement.
 */
export async function insertReplacement(tx: Queryable, plan: ReplacementPlan): Promise<boolean> {
  const r = plan.replacement;
  const packageLines = plan.packages.flatMap((p) =>
    p.lines.map((l, ordinal) => ({ packageId: p.packageId, ordinal, ...l })),
  );
  const { rowCount } = await tx.query(
    `WITH r AS (
       INSERT INTO replacements (after_sales_no, order_no, buyer_id, address, lines, package_ids, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING after_sales_no, order_no
     ), p AS (
       INSERT INTO packages (package_id, order_no, position, after_sales_no, warehouse_id, status, split_reason,
         created_at, updated_at)
       SELECT x."packageId", r.order_no, x.position, r.after_sales_no, x."warehouseId", x.status,
         x."splitReason", $7, $7
       FROM r, jsonb_to_recordset($8::jsonb) AS x("packageId" text, position int, "warehouseId" text,
         status text, "splitReason" text)
       RETURNING package_id
     )
     INSERT INTO package_lines (package_id, line_id, ordinal, sku_id, quantity, planned_quantity)
     SELECT x."packageId", x."lineId", x.ordinal, x."skuId", x.quantity, x."plannedQuantity"
     FROM r, jsonb_to_recordset($9::jsonb) AS x("packageId" text, "lineId" text, ordinal int,
       "skuId" text, quantity int, "plannedQuantity" int)
     RETURNING 1`,
    [
      r.afterSalesNo,
      r.orderNo,
      r.buyerId,
      JSON.stringify(r.address),
      JSON.stringify(r.lines),
      r.packageIds,
      r.createdAt,
      JSON.stringify(plan.packages),
      JSON.stringify(packageLines),
    ],
  );
  return (rowCount ?? 0) > 0;
}
