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
  /** Only orders flagged past their ship-by deadline. */
  overdue?: boolean;
  after?: { createdAt: Date; orderNo: string };
  limit: number;
}

/** One index range of a tab: a status with after-sales in progress or not, and `reviewed` where the tab tells. */
export interface TabBranch {
  status: string;
  afterSalesInProgress: boolean;
  reviewed?: boolean;
}

/**
 * A tab's combinations (from the one mapping table) grouped into index ranges of `(status, created_at,
 * order_no)` with after-sales in progress or not (two partial indexes): one per status and flag, with a
 * `reviewed` filter only when the tab takes one value of it.
 */
export function tabBranches(combinations: readonly ViewCombination[]): TabBranch[] {
  const branches = new Map<
    string,
    { status: string; afterSalesInProgress: boolean; reviewed: Set<boolean> }
  >();
  for (const c of combinations) {
    const key = `${c.status}|${c.afterSalesInProgress}`;
    const branch = branches.get(key) ?? {
      status: c.status,
      afterSalesInProgress: c.afterSalesInProgress,
      reviewed: new Set<boolean>(),
    };
    branch.reviewed.add(c.reviewed);
    branches.set(key, branch);
  }
  return [...branches.values()].map((b) => ({
    status: b.status,
    afterSalesInProgress: b.afterSalesInProgress,
    ...(b.reviewed.size === 1 ? { reviewed: [...b.reviewed][0] } : {}),
  }));
}

/**
 * Newest first, keyset-paged on (created_at, order_no); returns one extra row to tell whether more follow.
 * A buyer's orders are few: one range of (buyer_id, created_at) with the tab as a filter. A shop's or the
 * platform's tab reads one short index range per branch (orders_shop_tab, orders_tab ...), each stopping after
 * a page, merged newest first: a rare tab never scans the shop's common orders.
 */
export async function listOrders(
  q: Queryable,
  query: OrderListQuery,
): Promise<{ items: ChildOrder[]; more: boolean }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const add = (sql: (p: string) => string, value: unknown) => where.push(sql(param(value)));
  if (query.buyerId !== undefined) add((p) => `buyer_id = ${p}`, query.buyerId);
  if (query.shopId !== undefined) add((p) => `shop_id = ${p}`, query.shopId);
  add((p) => `created_at >= ${p}`, query.from);
  if (query.to) add((p) => `created_at < ${p}`, query.to);
  if (query.orderNo) add((p) => `order_no = ${p}`, query.orderNo);
  if (query.afterSalesStatus) add((p) => `after_sales_status = ${p}`, query.afterSalesStatus);
  if (query.sourceChannel) add((p) => `source_channel = ${p}`, query.sourceChannel);
  if (query.province) add((p) => `province = ${p}`, query.province);
  if (query.overdue) where.push("ship_overdue_at IS NOT NULL");
  if (query.skuId) {
    add(
      (p) => `EXISTS (SELECT 1 FROM order_lines l WHERE l.order_no = orders.order_no AND l.sku_id = ${p})`,
      query.skuId,
    );
  }
  if (query.after) {
    where.push(`(created_at, order_no) < (${param(query.after.createdAt)}, ${param(query.after.orderNo)})`);
  }
  const limit = param(query.limit + 1);
  const branchSql = (b: TabBranch) =>
    [
      `status = ${param(b.status)}`,
      // A literal, so the planner picks the partial index that matches (orders_shop_tab / orders_shop_after_sales).
      b.afterSalesInProgress ? "after_sales_status = 'IN_PROGRESS'" : "after_sales_status <> 'IN_PROGRESS'",
      ...(b.reviewed === undefined ? [] : [`reviewed = ${param(b.reviewed)}`]),
    ].join(" AND ");
  const branches = query.tab ? tabBranches(query.tab) : [];
  const order = "ORDER BY created_at DESC, order_no DESC";
  let sql: string;
  if (branches.length === 0) {
    sql = `SELECT order_no FROM orders WHERE ${where.join(" AND ")} ${order} LIMIT ${limit}`;
  } else if (query.buyerId !== undefined) {
    const tab = branches.map((b) => `(${branchSql(b)})`).join(" OR ");
    sql = `SELECT order_no FROM orders WHERE ${where.join(" AND ")} AND (${tab}) ${order} LIMIT ${limit}`;
  } else {
    const ranges = branches.map(
      (b) =>
        `(SELECT created_at, order_no FROM orders WHERE ${where.join(" AND ")} AND ${branchSql(b)} ${order} LIMIT ${limit})`,
    );
    sql = `SELECT order_no FROM (${ranges.join(" UNION ALL ")}) AS page ${order} LIMIT ${limit}`;
  }
  const { rows } = await q.query<{ order_no: string }>(sql, params);
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
