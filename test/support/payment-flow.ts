import { address, type CatalogBuilder, expectOk, uniqueId } from "./catalog";
import { devToken, request } from "./http";
import { waitFor } from "./system";

/** A buyer's checkout over one shop, placed through the API, ready to pay. */
export async function placeCheckout(
  catalog: CatalogBuilder,
  opts: {
    lines?: { skuId: string; quantity: number }[];
    buyerId?: string;
    stock?: number;
    strategy?: "RESERVE_ON_ORDER" | "DEDUCT_ON_PAYMENT";
  } = {},
) {
  const url = catalog.url;
  const buyerId = opts.buyerId ?? uniqueId("buyer");
  const token = await devToken(url, buyerId, "buyer");
  let lines = opts.lines;
  let wh = "";
  if (!lines) {
    wh = await catalog.warehouse(["Zhejiang"]);
    const skuId = await catalog.sku({
      shopId: uniqueId("shop"),
      priceMinor: 12_345,
      stock: { [wh]: opts.stock ?? 10 },
      deductionStrategy: opts.strategy ?? "RESERVE_ON_ORDER",
    });
    lines = [{ skuId, quantity: 1 }];
  }
  const checkout = expectOk(
    await request(url, "POST", "/api/v1/orders", {
      token,
      body: { lines, address: address(), sourceChannel: "APP" },
    }),
    "place order",
  );
  return { buyerId, token, checkout, wh, lines };
}

/** Starts a payment of the checkout with the sandbox provider. */
export async function startPayment(url: string, token: string, parentOrderNo: string, method = "WECHAT") {
  return expectOk(
    await request(url, "POST", "/api/v1/payments", { token, body: { parentOrderNo, method } }),
    "start payment",
  );
}

/** Makes the sandbox provider send its signed callback(s). */
export async function completeInSandbox(
  url: string,
  providerPaymentNo: string,
  body: Record<string, unknown> = {},
) {
  const res = await request(url, "POST", `/api/v1/sandbox/payments/${providerPaymentNo}/complete`, {
    body: { result: "SUCCESS", ...body },
  });
  if (res.status >= 300)
    throw new Error(`sandbox complete failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits until every child order of the checkout has left PENDING_PAYMENT, and returns them. */
export async function settledOrders(url: string, token: string, parentOrderNo: string, timeoutMs = 15_000) {
  let orders: any[] = [];
  await waitFor(
    `checkout ${parentOrderNo} to settle`,
    async () => {
      const res = await request(url, "GET", `/api/v1/parent-orders/${parentOrderNo}`, { token });
      orders = res.body.orders ?? [];
      return orders.length > 0 && orders.every((o: any) => o.status !== "PENDING_PAYMENT");
    },
    timeoutMs,
  );
  return orders;
}

/**
 * Two buyers check out the last unit of a DEDUCT_ON_PAYMENT SKU (stock is taken only at payment) and the
 * winner pays first. Answers the winner's paid orders, and the loser's checkout with its started payment:
 * completing that payment closes the loser's child of `skuId` OUT_OF_STOCK and refunds it.
 */
export async function soldOutRace(
  catalog: CatalogBuilder,
  opts: { priceMinor?: number; loserAlsoBuys?: { skuId: string; quantity: number }[] } = {},
) {
  const url = catalog.url;
  const wh = await catalog.warehouse(["Zhejiang"]);
  const skuId = await catalog.sku({
    shopId: uniqueId("shop"),
    priceMinor: opts.priceMinor ?? 7_777,
    stock: { [wh]: 1 },
    deductionStrategy: "DEDUCT_ON_PAYMENT",
  });
  const loser = await placeCheckout(catalog, {
    lines: [{ skuId, quantity: 1 }, ...(opts.loserAlsoBuys ?? [])],
  });
  const winner = await placeCheckout(catalog, { lines: [{ skuId, quantity: 1 }] });
  const loserPayment = await startPayment(url, loser.token, loser.checkout.parentOrderNo);
  await completeInSandbox(
    url,
    (await startPayment(url, winner.token, winner.checkout.parentOrderNo)).providerPaymentNo,
  );
  const won = await settledOrders(url, winner.token, winner.checkout.parentOrderNo);
  return { wh, skuId, winner, won, loser, loserPayment };
}
