import { formatDuration } from "../../shared/duration";
import { address, type CatalogBuilder, expectOk, uniqueId } from "./catalog";
import { devToken, request } from "./http";
import { completeInSandbox, settledOrders, startPayment } from "./payment-flow";
import { waitFor } from "./system";

/** Waits until the warehouse made `count` packages for the order, and returns them. */
export async function packagesOf(
  url: string,
  token: string,
  orderNo: string,
  count?: number,
): Promise<any[]> {
  let items: any[] = [];
  await waitFor(`packages of ${orderNo}`, async () => {
    const res = await request(url, "GET", `/api/v1/orders/${orderNo}/packages`, { token });
    items = res.body.items ?? [];
    return count === undefined ? items.length > 0 : items.length === count;
  });
  return items;
}

/** Hands a package over as the merchant. */
export async function ship(url: string, token: string, packageId: string, body: Record<string, unknown>) {
  return expectOk(
    await request(url, "POST", `/api/v1/packages/${packageId}/ship`, { token, body }),
    `ship ${packageId}`,
  );
}

/** Makes the sandbox carrier send a signed tracking event for the waybill. */
export async function trackingEvent(
  url: string,
  carrier: string,
  trackingNo: string,
  body: Record<string, unknown>,
) {
  return expectOk(
    await request(url, "POST", `/api/v1/sandbox/carriers/${carrier}/waybills/${trackingNo}/events`, { body }),
    `tracking event ${body.status}`,
  );
}

/** Waits until the order reaches `status`, and returns its detail. */
export async function orderReaches(
  url: string,
  token: string,
  orderNo: string,
  status: string,
  timeoutMs = 15_000,
): Promise<any> {
  let order: any;
  await waitFor(
    `order ${orderNo} to reach ${status}`,
    async () => {
      order = (await request(url, "GET", `/api/v1/orders/${orderNo}`, { token })).body;
      return order.status === status;
    },
    timeoutMs,
  );
  return order;
}

/** Places and pays a checkout of one shop as a new (or the given) buyer; returns the paid child order. */
export async function paidOrder(
  catalog: CatalogBuilder,
  lines: { skuId: string; quantity: number }[],
  opts: { buyerId?: string; couponIds?: string[]; coins?: number } = {},
) {
  const url = catalog.url;
  const buyerId = opts.buyerId ?? uniqueId("buyer");
  const token = await devToken(url, buyerId, "buyer");
  const checkout = expectOk(
    await request(url, "POST", "/api/v1/orders", {
      token,
      body: {
        lines,
        address: address("Zhejiang"),
        sourceChannel: "APP",
        ...(opts.couponIds ? { couponIds: opts.couponIds } : {}),
        ...(opts.coins ? { coins: opts.coins } : {}),
      },
    }),
    "place order",
  );
  const payment = await startPayment(url, token, checkout.parentOrderNo);
  await completeInSandbox(url, payment.providerPaymentNo);
  const [order] = await settledOrders(url, token, checkout.parentOrderNo);
  if (order.status !== "AWAITING_SHIPMENT") throw new Error(`order not paid: ${order.status}`);
  return { token, buyerId, order, orderNo: order.orderNo as string };
}

// The order type's timers: the PUT body's duration fields and the *Ms fields GET answers.
const TIMER_FIELDS = {
  paymentTimeout: "paymentTimeoutMs",
  autoConfirmAfter: "autoConfirmMs",
  afterSalesWindow: "afterSalesWindowMs",
  afterSalesReviewTimeout: "afterSalesReviewTimeoutMs",
  buyerReturnTimeout: "buyerReturnTimeoutMs",
  autoReceiveAfter: "autoReceiveMs",
  shipWithin: "shipWithinMs",
} as const;

/** Sets some of the STANDARD order type's timers (orders placed afterwards use them). */
export async function setOrderTimers(catalog: CatalogBuilder, body: Record<string, string>): Promise<void> {
  expectOk(
    await request(catalog.url, "PUT", "/api/v1/admin/order-types/STANDARD", {
      token: catalog.adminToken,
      body,
    }),
    "set order type timers",
  );
}

/** The STANDARD order type's timers as a PUT body, to put back after a test changed them. */
export async function readOrderTimers(catalog: CatalogBuilder): Promise<Record<string, string>> {
  const current = expectOk(
    await request(catalog.url, "GET", "/api/v1/admin/order-types/STANDARD", { token: catalog.adminToken }),
    "read order type",
  );
  return Object.fromEntries(
    Object.entries(TIMER_FIELDS).map(([field, ms]) => [field, formatDuration(current[ms])]),
  );
}
