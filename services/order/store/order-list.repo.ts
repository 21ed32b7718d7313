import type { Queryable } from "../../../shared/db/pool";
import type { ChildOrder } from "../domain/order";
import type { ViewCombination } from "../domain/order-view";
import { findOrders } from "./order.repo";

/** A list query already narrowed by role: buyerId for buyers, shopId for merchants, neither for admins. */
export interface OrderListQuery {
  buyerId?: string;
  shopId?: string;
  tab?: ViewCombination[];
  from: Date;
  to: Date | null;
  orderNo?: string;
  skuId?: string;
  afterSalesStatus?: string;
  sourceChannel?: string;
  province?: string;
  after?: { createdAt: Date; orderNo: string };
  limit: number;
}

/** Newest first, keyset-paged on (created_at, order_no); returns one extra row to tell whether more follow. */
export async function listOrders(
  q: Queryable,
  query: OrderListQuery,
): Promise<{ items: ChildOrder[]; more: boolean }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (query.buyerId !== undefined) add((p) => `buyer_id = ${p}`, query.buyerId);
  if (query.shopId !== undefined) add((p) => `shop_id = ${p}`, query.shopId);
  add((p) => `created_at >= ${p}`, query.from);
  if (query.to) add((p) => `created_at < ${p}`, query.to);
  if (query.orderNo) add((p) => `order_no = ${p}`, query.orderNo);
  if (query.afterSalesStatus) add((p) => `after_sales_status = ${p}`, query.afterSalesStatus);
  if (query.sourceChannel) add((p) => `source_channel = ${p}`, query.sourceChannel);
  if (query.province) add((p) => `province = ${p}`, query.province);
  if (query.skuId) {
    add(
      (p) => `EXISTS (SELECT 1 FROM order_lines l WHERE l.order_no = orders.order_no AND l.sku_id = ${p})`,
      query.skuId,
    );
  }
  if (query.tab) {
    add(
      (p) => `(status, after_sales_status = 'IN_PROGRESS', reviewed) IN (
        SELECT c.status, c.in_progress, c.reviewed
        FROM jsonb_to_recordset(${p}::jsonb) AS c(status text, in_progress boolean, reviewed boolean))`,
      JSON.stringify(
        query.tab.map((c) => ({
          status: c.status,
          in_progress: c.afterSalesInProgress,
          reviewed: c.reviewed,
        })),
      ),
    );
  }
  if (query.after) {
    params.push(query.after.createdAt, query.after.orderNo);
    where.push(`(created_at, order_no) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(query.limit + 1);
  const { rows } = await q.query<{ order_no: string }>(
    `SELECT order_no FROM orders WHERE ${where.join(" AND ")}
     ORDER BY created_at DESC, order_no DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit).map((r) => r.order_no);
  const orders = await findOrders(q, { orderNos: page });
  const byNo = new Map(orders.map((o) => [o.orderNo, o]));
  return {
    items: page.map((no) => byNo.get(no)).filter((o): o is ChildOrder => o !== undefined),
    more: rows.length > query.limit,
  };
}

/** An opaque cursor for the next page. */
export function encodeCursor(o: Pick<ChildOrder, "createdAt" | "orderNo">): string {
  return Buffer.from(`${o.createdAt.toISOString()}|${o.orderNo}`).toString("base64url");
}

/** Reads a cursor back; null when it is not one of ours. */
export function decodeCursor(cursor: string): { createdAt: Date; orderNo: string } | null {
  const [at, orderNo] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (!orderNo || !/^\d{16,20}$/.test(orderNo) || Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, orderNo };
}
