import type { Caller, Role } from "../../shared/contracts/caller";
import type { Queryable } from "../../shared/db/pool";
import { OmsError } from "../../shared/errors";
import { type AfterSalesAppeal, type AfterSalesRequest, afterSalesActions } from "./domain/after-sales";
import type { ChildOrder } from "./domain/order";
import { canSee } from "./domain/order-access";
import type { OrderService } from "./order.service";
import {
  findAfterSales,
  findAfterSalesOfOrder,
  listAfterSales,
  readAfterSalesTimeline,
} from "./store/after-sales.repo";
import { decodeCursor, encodeCursor } from "./store/order-list.repo";

/** What else the view shows: the buyer's appeal, and the caller's role for the allowed actions. */
export interface AfterSalesSeen {
  appeal?: AfterSalesAppeal | null;
  role?: Role;
  now?: Date;
}

/**
 * The API's after-sales shape (API.md), with the refund as planned, the deadline of the current state, who
 * reviews it (SHOP, or PLATFORM once appealed) and, for a known caller, the actions it may take.
 */
export function presentAfterSales(r: AfterSalesRequest, seen: AfterSalesSeen = {}) {
  const appeal = seen.appeal ?? null;
  return {
    afterSalesNo: r.afterSalesNo,
    orderNo: r.orderNo,
    parentOrderNo: r.parentOrderNo,
    buyerId: r.buyerId,
    shopId: r.shopId,
    type: r.type,
    status: r.status,
    lines: r.lines,
    reason: r.reason,
    rejectReason: r.rejectReason,
    reviewer: appeal ? "PLATFORM" : "SHOP",
    appealedAt: appeal?.at.toISOString() ?? null,
    appealReason: appeal?.reason ?? null,
    refundMinor: r.refundMinor,
    currency: "CNY",
    refund: r.refundPlan,
    refundNo: r.refundNo,
    refundedAt: r.refundedAt?.toISOString() ?? null,
    refundAttempts: r.refundAttempts,
    refundFailure: r.refundFailure,
    refundRetryAt: r.refundRetryAt?.toISOString() ?? null,
    intercept: r.intercept,
    intercepted: r.intercepted,
    returnShipment: r.returnTrackingNo ? { carrier: r.returnCarrier, trackingNo: r.returnTrackingNo } : null,
    returnedAt: r.returnedAt?.toISOString() ?? null,
    receivedAt: r.receivedAt?.toISOString() ?? null,
    replacementPackageIds: r.replacementPackageIds,
    dueAt: r.dueAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    closedAt: r.closedAt?.toISOString() ?? null,
    closeReason: r.closeReason,
    ...(seen.role ? { actions: afterSalesActions(r, appeal, seen.role, seen.now ?? new Date()) } : {}),
  };
}

/**
 * The appeals of some requests, from their timelines (the `appeal` entry holds when and why); the table allows
 * one per request.
 */
export async function findAppeals(
  q: Queryable,
  afterSalesNos: readonly string[],
): Promise<Map<string, AfterSalesAppeal>> {
  if (afterSalesNos.length === 0) return new Map();
  const { rows } = await q.query<{ after_sales_no: string; at: Date; reason: string | null }>(
    `SELECT DISTINCT ON (after_sales_no) after_sales_no, at, reason FROM after_sales_timeline
     WHERE after_sales_no = ANY ($1) AND event = 'appeal' ORDER BY after_sales_no, id`,
    [afterSalesNos],
  );
  return new Map(rows.map((r) => [r.after_sales_no, { at: r.at, reason: r.reason }]));
}

/** The appeal of one request, or null. */
export async function findAppeal(q: Queryable, afterSalesNo: string): Promise<AfterSalesAppeal | null> {
  return (await findAppeals(q, [afterSalesNo])).get(afterSalesNo) ?? null;
}

/** Requests as the caller sees them, their appeals read at once. */
async function presentAll(svc: OrderService, requests: readonly AfterSalesRequest[], role?: Role) {
  const appeals = await findAppeals(
    svc.pool,
    requests.map((r) => r.afterSalesNo),
  );
  const now = new Date();
  return requests.map((r) => presentAfterSales(r, { appeal: appeals.get(r.afterSalesNo), role, now }));
}

/** One request as the caller sees it, its appeal included. */
export async function present(svc: OrderService, caller: Caller, r: AfterSalesRequest) {
  return presentAfterSales(r, { appeal: await findAppeal(svc.pool, r.afterSalesNo), role: caller.role });
}

/** The request if the caller may see it (a buyer's own, its shop's, any for operators), else 404. */
export async function visible(
  svc: OrderService,
  caller: Caller,
  afterSalesNo: string,
): Promise<AfterSalesRequest> {
  const r = await findAfterSales(svc.pool, afterSalesNo);
  if (!r || !canSee(caller, r))
    throw new OmsError("NOT_FOUND", "After-sales request not found", { afterSalesNo });
  return r;
}

/** GET /after-sales/{no}: the request with its timeline. */
export async function get(svc: OrderService, caller: Caller, afterSalesNo: string) {
  const r = await visible(svc, caller, afterSalesNo);
  return {
    ...(await present(svc, caller, r)),
    timeline: await readAfterSalesTimeline(svc.pool, afterSalesNo),
  };
}

/** GET /after-sales?status=: buyers their own, merchants their shop's, operators all. */
export async function list(
  svc: OrderService,
  caller: Caller,
  p: { status?: string; limit?: number; cursor?: string },
) {
  const after = p.cursor ? decodeCursor(p.cursor) : undefined;
  if (after === null) throw new OmsError("VALIDATION_FAILED", "cursor is not valid", { field: "cursor" });
  const limit = p.limit ?? 20;
  const { items, more } = await listAfterSales(svc.pool, {
    buyerId: caller.role === "buyer" ? caller.userId : undefined,
    shopId: caller.role === "merchant" ? caller.shopId : undefined,
    status: p.status,
    after,
    limit,
  });
  const last = items[items.length - 1];
  return {
    items: await presentAll(svc, items, caller.role),
    nextCursor: more && last ? encodeCursor({ createdAt: last.createdAt, orderNo: last.afterSalesNo }) : null,
  };
}

/** The order detail's after-sales section; with the caller, each request's actions too. */
export async function ofOrder(svc: OrderService, order: Pick<ChildOrder, "orderNo">, caller?: Caller) {
  return presentAll(svc, await findAfterSalesOfOrder(svc.pool, order.orderNo), caller?.role);
}
