import { publishToChannel } from "../../shared/channels";
import type { PackageShippedPayload } from "../../shared/contracts/warehouse.contract";
import { newEvent } from "../../shared/outbox/outbox";
import { CatalogBuilder, expectOk } from "../support/catalog";
import { orderReaches } from "../support/fulfilment-flow";
import { request } from "../support/http";
import { completeInSandbox, placeCheckout, settledOrders, startPayment } from "../support/payment-flow";
import { startSystem, type TestSystem } from "../support/system";

// The order's side of `package.shipped`, without a warehouse: events are published as the warehouse would,
// duplicated and out of order.
describe("an order hearing that its packages shipped", () => {
  let system: TestSystem;
  let catalog: CatalogBuilder;
  let url: string;

  beforeAll(async () => {
    system = await startSystem(["gateway", "order", "inventory", "promotion", "payment"]);
    url = system.baseUrl;
    catalog = await CatalogBuilder.create(url);
  });
  afterAll(() => system.stop());

  async function paidOrder() {
    const { token, checkout, buyerId } = await placeCheckout(catalog);
    const payment = await startPayment(url, token, checkout.parentOrderNo);
    await completeInSandbox(url, payment.providerPaymentNo);
    const [order] = await settledOrders(url, token, checkout.parentOrderNo);
    return { token, order, buyerId };
  }

  function shipped(order: any, packageId: string, allShipped: boolean) {
    const payload: PackageShippedPayload = {
      packageId,
      orderNo: order.orderNo,
      shopId: order.shopId,
      buyerId: order.buyerId,
      method: "NO_LOGISTICS",
      carrier: null,
      trackingNo: null,
      shippedAt: new Date().toISOString(),
      allShipped,
    };
    return newEvent("package.shipped", payload);
  }

  async function timeline(token: string, orderNo: string) {
    return expectOk(await request(url, "GET", `/api/v1/orders/${orderNo}/timeline`, { token }), "timeline")
      .items;
  }

  it("counts each package once and ends SHIPPED when the last package's event overtakes an earlier one", async () => {
    const { token, order } = await paidOrder();
    const last = shipped(order, `${order.orderNo}-2`, true);
    const earlier = shipped(order, `${order.orderNo}-1`, false);
    await publishToChannel(system.broker, "package.shipped", last);
    await publishToChannel(system.broker, "package.shipped", last);
    await orderReaches(url, token, order.orderNo, "SHIPPED");
    await publishToChannel(system.broker, "package.shipped", earlier);
    // A different event id for the same package (a warehouse retry) still counts once.
    await publishToChannel(system.broker, "package.shipped", {
      ...earlier,
      eventId: shipped(order, "x", false).eventId,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const detail = await orderReaches(url, token, order.orderNo, "SHIPPED");
    expect(detail.shippedAt).not.toBeNull();
    expect(detail.autoConfirmAt).not.toBeNull();
    const entries = (await timeline(token, order.orderNo)).filter((e: any) => e.event === "package.shipped");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ from: "AWAITING_SHIPMENT", to: "SHIPPED", actor: "warehouse" });
  });

  it("goes PARTIALLY_SHIPPED then SHIPPED in order", async () => {
    const { token, order } = await paidOrder();
    await publishToChannel(system.broker, "package.shipped", shipped(order, `${order.orderNo}-1`, false));
    const partial = await orderReaches(url, token, order.orderNo, "PARTIALLY_SHIPPED");
    expect(partial.autoConfirmAt).toBeNull();
    await publishToChannel(system.broker, "package.shipped", shipped(order, `${order.orderNo}-2`, true));
    await orderReaches(url, token, order.orderNo, "SHIPPED");
    const steps = (await timeline(token, order.orderNo))
      .filter((e: any) => e.event === "package.shipped")
      .map((e: any) => e.to);
    expect(steps).toEqual(["PARTIALLY_SHIPPED", "SHIPPED"]);
  });
});
