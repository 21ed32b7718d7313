import type { Caller } from "../../shared/contracts/caller";
import type { PaymentView } from "../../shared/contracts/payment.contract";
import { OmsError, validationFailed } from "../../shared/errors";
import { ofOrder as afterSalesOf } from "./after-sales-queries";
import { longPollWaitMs } from "./checkout-waiters";
import { assertCanSee, canSee } from "./domain/order-access";
import { presentOrder } from "./domain/order-presenter";
import { BUYER_TABS, MERCHANT_TABS, type Tab, tabCombinations } from "./domain/order-view";
import type { OrderService } from "./order.service";
import { packagesOf } from "./order-fulfilment";
import { findOrder, readCheckout, readChildStatuses, readTimeline } from "./store/order.repo";
import { decodeCursor, encodeCursor, listOrders } from "./store/order-list.repo";
import { readOrderTimers } from "./store/order-type.repo";

/** Orders older than this are archived: listed only with `includeArchived` (the article's hot/cold split). */
export const HOT_WINDOW_MS = 92 * 86_400_000;

/** The order detail for the caller's role; 404 for anyone who may not see it. */
export async function detail(svc: OrderService, caller: Caller, orderNo: string) {
  const order = await findOrder(svc.pool, orderNo);
  if (!order) throw new OmsError("NOT_FOUND", "Order not found", { orderNo });
  assertCanSee(caller, order);
  return presentOrder(order, caller.role);
}

/** The detail with the checkout's payment and refunds (null when none, or while the payment service is away). */
export async function fullDetail(svc: OrderService, caller: Caller, orderNo: string) {
  const order = await detail(svc, caller, orderNo);
  const payment = await svc.broker
    .call<PaymentView | null, object>("payment.forParent", { parentOrderNo: order.parentOrderNo })
    .catch((err: Error) => {
      svc.logger.warn("payment section unavailable", { orderNo, error: err.message });
      return null;
    });
  const packages = order.paidAt
    ? await packagesOf(svc, orderNo).catch((err: Error) => {
        svc.logger.warn("packages section unavailable", { orderNo, error: err.message });
        return null;
      })
    : [];
  const afterSales = await afterSalesOf(svc, order, caller);
  // Reviewing after-sales is offered only while a request waits for this caller (an appealed one
  // waits for the platform, not the shop).
  const reviews = afterSales.some((r) => (r.actions?.length ?? 0) > 0);
  const actions = reviews ? order.actions : order.actions.filter((a) => a !== "REVIEW_AFTER_SALES");
  return { ...order, actions, payment, packages, afterSales };
}

/** The order's timeline, oldest first. */
export async function timeline(svc: OrderService, caller: Caller, orderNo: string) {
  await detail(svc, caller, orderNo);
  return { items: await readTimeline(svc.pool, orderNo) };
}

/** The parent order with the children the caller may see; payable is what the open children still owe. */
export async function parent(svc: OrderService, caller: Caller, parentOrderNo: string) {
  const { parent: found, children: all } = await readCheckout(svc.pool, parentOrderNo);
  const children = all.filter((c) => canSee(caller, c));
  if (!found || children.length === 0) throw new OmsError("NOT_FOUND", "Order not found", { parentOrderNo });
  const open = children.filter((c) => c.status !== "CLOSED");
  return {
    parentOrderNo,
    buyerId: found.buyerId,
    orderType: found.orderType,
    sourceChannel: found.sourceChannel,
    currency: "CNY",
    payableMinor: open.reduce((sum, c) => sum + c.amounts.payableMinor, 0),
    totalsAtCheckout: found.totals,
    couponIds: found.couponIds,
    coinsUsed: found.coinsUsed,
    memberTier: found.memberTier,
    priceSteps: found.priceSteps,
    paymentDeadline: found.paymentDeadline.toISOString(),
    createdAt: found.createdAt.toISOString(),
    orders: children.map((c) => presentOrder(c, caller.role)),
  };
}

/**
 * The parent order, as `parent`; with `waitMs`, while a child it shows is
 * still PENDING_PAYMENT, the answer waits until the checkout is settled or
 * closed (a notify from the pod that committed it) or the wait runs out, then
 * reads it. Before waiting it reads only the children's statuses (and whom
 * they belong to), so the whole checkout is read once either way. The wait is
 * registered before that read, so a change committed in between still wakes
 * it; a caller who may see none of it waits for nothing and gets the 404.
 */
export async function awaitParent(
  svc: OrderService,
  caller: Caller,
  parentOrderNo: string,
  waitMs: number,
  callerTimeoutMs: number | null | undefined,
) {
  const waitFor = longPollWaitMs(waitMs, callerTimeoutMs);
  if (waitFor === 0) return parent(svc, caller, parentOrderNo);
  const wait = svc.checkoutWaiters.register(parentOrderNo, waitFor);
  try {
    const children = (await readChildStatuses(svc.pool, parentOrderNo)).filter((c) => canSee(caller, c));
    if (children.some((c) => c.status === "PENDING_PAYMENT")) await wait.done;
  } finally {
    wait.cancel();
  }
  return parent(svc, caller, parentOrderNo);
}

interface ListParams {
  tab?: Tab;
  from?: Date;
  to?: Date;
  orderNo?: string;
  skuId?: string;
  buyerId?: string;
  afterSalesStatus?: string;
  sourceChannel?: string;
  province?: string;
  overdue?: boolean;
  includeArchived?: boolean;
  limit?: number;
  cursor?: string;
}

/** The role-aware order list: a buyer's own, a merchant's shop's, everything for an operator. */
export async function list(svc: OrderService, caller: Caller, p: ListParams) {
  if (p.tab) {
    const tabs: readonly string[] = caller.role === "buyer" ? BUYER_TABS : MERCHANT_TABS;
    if (!tabs.includes(p.tab))
      throw validationFailed("tab", `tab must be one of ${tabs.join(", ")}`, { allowed: tabs });
  }
  if (p.from && p.to && p.from > p.to) throw validationFailed("from", "from must not be after to");
  const after = p.cursor ? decodeCursor(p.cursor) : undefined;
  if (after === null) throw validationFailed("cursor", "cursor is not valid");
  const hotFrom = new Date(Date.now() - HOT_WINDOW_MS);
  const from = p.includeArchived
    ? (p.from ?? new Date(0))
    : new Date(Math.max(hotFrom.getTime(), p.from?.getTime() ?? 0));
  const limit = p.limit ?? 20;
  const { items, more } = await listOrders(svc.pool, {
    buyerId: caller.role === "buyer" ? caller.userId : p.buyerId,
    shopId: caller.role === "merchant" ? caller.shopId : undefined,
    tab: p.tab ? tabCombinations(p.tab, caller.role) : undefined,
    from,
    to: p.to ?? null,
    orderNo: p.orderNo,
    skuId: p.skuId,
    afterSalesStatus: p.afterSalesStatus,
    sourceChannel: p.sourceChannel,
    province: p.province,
    overdue: p.overdue,
    after,
    limit,
  });
  const last = items[items.length - 1];
  return {
    items: items.map((o) => presentOrder(o, caller.role)),
    nextCursor: more && last ? encodeCursor(last) : null,
  };
}

/** The timers of an order type. */
export async function orderType(svc: OrderService, type: string) {
  return { orderType: type, ...(await readOrderTimers(svc.pool, type)) };
}
