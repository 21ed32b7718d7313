import type { Caller } from "../../shared/contracts/caller";
import { OmsError } from "../../shared/errors";
import type { AfterSalesRequest } from "./domain/after-sales";
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

/** The API's after-sales shape (API.md), with the refund as planned and the deadline of the current state. */
export function presentAfterSales(r: AfterSalesRequest) {
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
    refundMinor: r.refundMinor,
    currency: "CNY",
    refund: r.refundPlan,
    refundNo: r.refundNo,
    refundedAt: r.refundedAt?.toISOString() ?? null,
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
  };
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
  return { ...presentAfterSales(r), timeline: await readAfterSalesTimeline(svc.pool, afterSalesNo) };
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
    items: items.map(presentAfterSales),
    nextCursor: more && last ? encodeCursor({ createdAt: last.createdAt, orderNo: last.afterSalesNo }) : null,
  };
}

/** The order detail's after-sales section. */
export async function ofOrder(svc: OrderService, order: Pick<ChildOrder, "orderNo">) {
  return (await findAfterSalesOfOrder(svc.pool, order.orderNo)).map(presentAfterSales);
}
