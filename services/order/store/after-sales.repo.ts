import type { Queryable } from "../../../shared/db/pool";
import type { TimelineEntry } from "../../../shared/state-machine/engine";
import type { AfterSalesRequest } from "../domain/after-sales";
import { toTimelineEntry } from "./order.repo";

interface AfterSalesRow {
  after_sales_no: string;
  order_no: string;
  parent_order_no: string;
  buyer_id: string;
  shop_id: string;
  type: AfterSalesRequest["type"];
  status: AfterSalesRequest["status"];
  table_version: string;
  lines: AfterSalesRequest["lines"];
  reason: string;
  reject_reason: string | null;
  intercept: boolean;
  intercepted: boolean | null;
  refund_minor: number;
  refund_plan: AfterSalesRequest["refundPlan"];
  refund_no: string | null;
  refunded_at: Date | null;
  refund_attempts: number;
  refund_failure: string | null;
  refund_retry_at: Date | null;
  return_carrier: string | null;
  return_tracking_no: string | null;
  returned_at: Date | null;
  received_at: Date | null;
  restocked: boolean;
  replacement_package_ids: string[];
  due_at: Date | null;
  created_at: Date;
  closed_at: Date | null;
  close_reason: string | null;
}

const toRequest = (r: AfterSalesRow): AfterSalesRequest => ({
  afterSalesNo: r.after_sales_no,
  orderNo: r.order_no,
  parentOrderNo: r.parent_order_no,
  buyerId: r.buyer_id,
  shopId: r.shop_id,
  type: r.type,
  status: r.status,
  tableVersion: r.table_version,
  lines: r.lines,
  reason: r.reason,
  rejectReason: r.reject_reason,
  intercept: r.intercept,
  intercepted: r.intercepted,
  refundMinor: r.refund_minor,
  refundPlan: r.refund_plan,
  refundNo: r.refund_no,
  refundedAt: r.refunded_at,
  refundAttempts: r.refund_attempts,
  refundFailure: r.refund_failure,
  refundRetryAt: r.refund_retry_at,
  returnCarrier: r.return_carrier,
  returnTrackingNo: r.return_tracking_no,
  returnedAt: r.returned_at,
  receivedAt: r.received_at,
  restocked: r.restocked,
  replacementPackageIds: r.replacement_package_ids,
  dueAt: r.due_at,
  createdAt: r.created_at,
  closedAt: r.closed_at,
  closeReason: r.close_reason,
});

export async function insertAfterSales(q: Queryable, r: AfterSalesRequest): Promise<void> {
  await q.query(
    `INSERT INTO after_sales (after_sales_no, order_no, parent_order_no, buyer_id, shop_id, type, status,
       table_version, lines, reason, intercept, refund_minor, due_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      r.afterSalesNo,
      r.orderNo,
      r.parentOrderNo,
      r.buyerId,
      r.shopId,
      r.type,
      r.status,
      r.tableVersion,
      JSON.stringify(r.lines),
      r.reason,
      r.intercept,
      r.refundMinor,
      r.dueAt,
      r.createdAt,
    ],
  );
}

/** Writes everything a step may change. */
export async function updateAfterSales(q: Queryable, r: AfterSalesRequest): Promise<void> {
  await q.query(
    `UPDATE after_sales SET status = $2, reject_reason = $3, intercepted = $4, refund_minor = $5, refund_plan = $6,
       refund_no = $7, refunded_at = $8, return_carrier = $9, return_tracking_no = $10, returned_at = $11,
       received_at = $12, restocked = $13, replacement_package_ids = $14, due_at = $15, closed_at = $16,
       close_reason = $17, refund_attempts = $18, refund_failure = $19, refund_retry_at = $20, updated_at = now()
     WHERE after_sales_no = $1`,
    [
      r.afterSalesNo,
      r.status,
      r.rejectReason,
      r.intercepted,
      r.refundMinor,
      r.refundPlan === null ? null : JSON.stringify(r.refundPlan),
      r.refundNo,
      r.refundedAt,
      r.returnCarrier,
      r.returnTrackingNo,
      r.returnedAt,
      r.receivedAt,
      r.restocked,
      r.replacementPackageIds,
      r.dueAt,
      r.closedAt,
      r.closeReason,
      r.refundAttempts,
      r.refundFailure,
      r.refundRetryAt,
    ],
  );
}

export async function findAfterSales(
  q: Queryable,
  afterSalesNo: string,
  forUpdate = false,
): Promise<AfterSalesRequest | null> {
  const { rows } = await q.query<AfterSalesRow>(
    `SELECT * FROM after_sales WHERE after_sales_no = $1 ${forUpdate ? "FOR UPDATE" : ""}`,
    [afterSalesNo],
  );
  return rows[0] ? toRequest(rows[0]) : null;
}

/** Every request of an order, oldest first. */
export async function findAfterSalesOfOrder(q: Queryable, orderNo: string): Promise<AfterSalesRequest[]> {
  const { rows } = await q.query<AfterSalesRow>(
    "SELECT * FROM after_sales WHERE order_no = $1 ORDER BY created_at, after_sales_no",
    [orderNo],
  );
  return rows.map(toRequest);
}

/** The request an exchange's replacement package belongs to. */
export async function findByReplacementPackage(q: Queryable, packageId: string): Promise<string | null> {
  const { rows } = await q.query<{ after_sales_no: string }>(
    "SELECT after_sales_no FROM after_sales WHERE $1 = ANY (replacement_package_ids)",
    [packageId],
  );
  return rows[0]?.after_sales_no ?? null;
}

export async function appendAfterSalesTimeline(
  q: Queryable,
  afterSalesNo: string,
  entry: TimelineEntry,
): Promise<void> {
  await q.query(
    `INSERT INTO after_sales_timeline (after_sales_no, at, actor, role, event, from_state, to_state, reason,
       request_id, event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      afterSalesNo,
      entry.at,
      entry.actor,
      entry.role,
      entry.event,
      entry.from,
      entry.to,
      entry.reason,
      entry.requestId,
      entry.eventId,
    ],
  );
}

export async function readAfterSalesTimeline(q: Queryable, afterSalesNo: string): Promise<TimelineEntry[]> {
  const { rows } = await q.query(
    `SELECT at, actor, role, event, from_state, to_state, reason, request_id, event_id
     FROM after_sales_timeline WHERE after_sales_no = $1 ORDER BY id`,
    [afterSalesNo],
  );
  return rows.map(toTimelineEntry);
}

/** A role-narrowed page of requests, newest first, keyset-paged on (created_at, after_sales_no). */
export async function listAfterSales(
  q: Queryable,
  query: {
    buyerId?: string;
    shopId?: string;
    status?: string;
    after?: { createdAt: Date; orderNo: string };
    limit: number;
  },
): Promise<{ items: AfterSalesRequest[]; more: boolean }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (query.buyerId !== undefined) add((p) => `buyer_id = ${p}`, query.buyerId);
  if (query.shopId !== undefined) add((p) => `shop_id = ${p}`, query.shopId);
  if (query.status) add((p) => `status = ${p}`, query.status);
  if (query.after) {
    params.push(query.after.createdAt, query.after.orderNo);
    where.push(`(created_at, after_sales_no) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(query.limit + 1);
  const { rows } = await q.query<AfterSalesRow>(
    `SELECT * FROM after_sales ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY created_at DESC, after_sales_no DESC LIMIT $${params.length}`,
    params,
  );
  return { items: rows.slice(0, query.limit).map(toRequest), more: rows.length > query.limit };
}

/** Requests whose state timer is overdue (review, buyer return, receipt), for the sweeper. */
export async function findDueAfterSales(q: Queryable, now: Date): Promise<string[]> {
  const { rows } = await q.query<{ after_sales_no: string }>(
    `SELECT after_sales_no FROM after_sales
     WHERE status IN ('PENDING_REVIEW', 'AWAITING_BUYER_RETURN', 'AWAITING_RETURN_RECEIPT') AND due_at <= $1
     LIMIT 500`,
    [now],
  );
  return rows.map((r) => r.after_sales_no);
}

/**
 * Requests waiting for their refund to be asked of the payment service: a crash or a failed call between
 * (`olderThan`), or a refused refund whose retry is due (`now`).
 */
export async function findUnrequestedRefunds(q: Queryable, olderThan: Date, now: Date): Promise<string[]> {
  const { rows } = await q.query<{ after_sales_no: string }>(
    `SELECT after_sales_no FROM after_sales
     WHERE status = 'PENDING_REFUND' AND refund_no IS NULL
       AND (refund_attempts = 0 AND updated_at <= $1 OR refund_retry_at <= $2) LIMIT 500`,
    [olderThan, now],
  );
  return rows.map((r) => r.after_sales_no);
}
