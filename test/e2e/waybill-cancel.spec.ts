import { randomUUID } from "node:crypto";
import type { CarrierAdapter } from "../../services/logistics/carriers/carrier";
import { WAYBILL_CANCEL_GROUP } from "../../services/logistics/commands/intercepted-waybills";
import type { LogisticsService } from "../../services/logistics/logistics.service";
import type { WarehouseService } from "../../services/warehouse/warehouse.service";
import { publishToChannel } from "../../shared/channels";
import type { Carrier } from "../../shared/contracts/logistics.contract";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import { expectOk, uniqueId } from "../support/catalog";
import { orderReaches, packagesOf, paidOrder, ship, trackingEvent } from "../support/fulfilment-flow";
import { request } from "../support/http";
import { useSystem, waitFor } from "../support/system";

/** A cancel after payment, approved before hand-over: the intercepted packages' online waybills are cancelled. */
describe("waybill cancellation of intercepted packages", () => {
  const suite = useSystem();

  const logistics = () => suite.service<LogisticsService>("logistics");
  const warehouse = () => suite.service<WarehouseService>("warehouse");

  /** Cancel requests the sandbox carrier received for the waybill (0: never asked). */
  async function carrierRequests(carrier: string, trackingNo: string): Promise<number> {
    const { rows } = await logistics().pool.query(
      "SELECT requests FROM sandbox_waybill_cancellations WHERE carrier = $1 AND tracking_no = $2",
      [carrier, trackingNo],
    );
    return rows[0]?.requests ?? 0;
  }

  /** The order's `package.intercepted` events as the warehouse recorded them in its outbox. */
  async function interceptedEvents(orderNo: string): Promise<EventEnvelope[]> {
    const { rows } = await warehouse().pool.query(
      `SELECT event_id, channel, payload, occurred_at FROM outbox
       WHERE channel = 'package.intercepted' AND payload->>'orderNo' = $1 ORDER BY seq`,
      [orderNo],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      name: r.channel,
      occurredAt: (r.occurred_at as Date).toISOString(),
      payload: r.payload,
    }));
  }

  /** Waits until logistics' interception consumer finished with the event. */
  const consumedByLogistics = (eventId: string) =>
    waitFor(`logistics to consume ${eventId}`, async () => {
      const { rows } = await logistics().pool.query(
        "SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2",
        [WAYBILL_CANCEL_GROUP, eventId],
      );
      return rows.length === 1;
    });

  async function printWaybill(merchant: string, packageId: string, carrier: Carrier) {
    return expectOk(
      await request(suite.url, "POST", `/api/v1/packages/${packageId}/tasks`, {
        token: merchant,
        body: { step: "PRINT_WAYBILL", carrier },
      }),
      "print waybill",
    );
  }

  /** The buyer asks to cancel (refund) units before hand-over and the merchant approves: the units are intercepted. */
  async function cancelApproved(
    buyer: string,
    merchant: string,
    orderNo: string,
    lines: { lineId: string; quantity: number }[],
  ) {
    const created = expectOk(
      await request(suite.url, "POST", `/api/v1/orders/${orderNo}/after-sales`, {
        token: buyer,
        body: { type: "REFUND_ONLY", lines, reason: "changed my mind" },
      }),
      "cancel request",
    );
    expect(created.intercept).toBe(true);
    expectOk(
      await request(suite.url, "POST", `/api/v1/after-sales/${created.afterSalesNo}/approve`, {
        token: merchant,
        body: {},
      }),
      "approve",
    );
    await waitFor("the request to succeed", async () => {
      const res = await request(suite.url, "GET", `/api/v1/after-sales/${created.afterSalesNo}`, {
        token: buyer,
      });
      return res.body.status === "SUCCEEDED" && res.body.intercepted === true;
    });
  }

  /** A shop selling a food and a chemical SKU from one warehouse (never packed together: two packages). */
  async function shop() {
    const shopId = uniqueId("shop");
    const wh = await suite.catalog.warehouse(["Zhejiang"]);
    const food = await suite.catalog.sku({
      shopId,
      priceMinor: 2_500,
      storageClass: "FOOD",
      stock: { [wh]: 10 },
    });
    const chemical = await suite.catalog.sku({
      shopId,
      priceMinor: 1_800,
      storageClass: "CHEMICAL",
      stock: { [wh]: 10 },
    });
    return { wh, food, chemical, merchant: await suite.catalog.merchantToken(shopId) };
  }

  it("cancels the online waybill of a wholly intercepted package at the carrier exactly once, and then refuses its tracking and hand-over", async () => {
    const { wh, food, chemical, merchant } = await shop();
    const { token, order, orderNo } = await paidOrder(suite.catalog, [
      { skuId: food, quantity: 2 },
      { skuId: chemical, quantity: 1 },
    ]);
    const packages = await packagesOf(suite.url, merchant, orderNo, 2);
    const printed = packages.find((p) => p.lines[0].skuId === food);
    const unprinted = packages.find((p) => p.lines[0].skuId === chemical);
    const { trackingNo } = await printWaybill(merchant, printed.packageId, "SF");
    expect(trackingNo).toMatch(/^SF\d+$/);

    await cancelApproved(
      token,
      merchant,
      orderNo,
      order.lines.map((l: any) => ({ lineId: l.lineId, quantity: l.quantity })),
    );
    await waitFor("the waybill to be cancelled", async () => (await carrierRequests("SF", trackingNo)) === 1);
    const after = await packagesOf(suite.url, merchant, orderNo, 2);
    const cancelled = after.find((p) => p.packageId === printed.packageId);
    expect(cancelled).toMatchObject({
      status: "INTERCEPTED",
      lines: [],
      method: "ONLINE_WAYBILL",
      carrier: "SF",
      trackingNo,
      logisticsStatus: "CREATED",
      waybillCancelledAt: expect.any(String),
    });
    const plain = after.find((p) => p.packageId === unprinted.packageId);
    expect(plain).toMatchObject({ status: "INTERCEPTED", trackingNo: null });
    expect(plain.waybillCancelledAt).toBeUndefined();

    // The interception event redelivered, and the same fact under another event id: the carrier is not asked again.
    const [event] = await interceptedEvents(orderNo);
    const copy = { ...event!, eventId: randomUUID() };
    await publishToChannel(suite.system.broker, event!.name, event!, { deduplicate: false });
    await publishToChannel(suite.system.broker, copy.name, copy, { deduplicate: false });
    await consumedByLogistics(copy.eventId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await carrierRequests("SF", trackingNo)).toBe(1);

    // The carrier sends nothing more for it, and nothing can hand it over.
    const tracked = await request(
      suite.url,
      "POST",
      `/api/v1/sandbox/carriers/SF/waybills/${trackingNo}/events`,
      {
        body: { status: "PICKED_UP" },
      },
    );
    expect(tracked.status).toBe(409);
    expect(tracked.body.error).toMatchObject({
      code: "CONFLICT",
      details: { reason: "WAYBILL_CANCELLED", carrier: "SF", trackingNo },
    });
    const handOver = await request(suite.url, "POST", `/api/v1/packages/${printed.packageId}/ship`, {
      token: merchant,
      body: { method: "ONLINE_WAYBILL" },
    });
    expect(handOver.status).toBe(409);
    expect(handOver.body.error.code).toBe("PACKAGE_INTERCEPTED");
    await expect(
      suite.system.broker.call("logistics.registerShipment", {
        carrier: "SF",
        trackingNo,
        packageId: printed.packageId,
        orderNo,
        method: "ONLINE_WAYBILL",
      }),
    ).rejects.toMatchObject({ type: "CONFLICT", data: { reason: "WAYBILL_CANCELLED" } });

    // The interception stands: the order is closed and the units are available again.
    await orderReaches(suite.url, token, orderNo, "CLOSED");
    await waitFor("the intercepted units back in stock", async () => {
      const stock = await Promise.all([food, chemical].map((s) => suite.catalog.stock(s)));
      return stock.every((rows) => rows.find((r) => r.warehouseId === wh)?.reserved === 0);
    });
  });

  it("keeps the waybill of a partially intercepted package, which then ships and is tracked", async () => {
    const { food, merchant } = await shop();
    const { token, order, orderNo } = await paidOrder(suite.catalog, [{ skuId: food, quantity: 2 }]);
    const [pkg] = await packagesOf(suite.url, merchant, orderNo, 1);
    const { trackingNo } = await printWaybill(merchant, pkg.packageId, "ZTO");

    await cancelApproved(token, merchant, orderNo, [{ lineId: order.lines[0].lineId, quantity: 1 }]);
    const [event] = await interceptedEvents(orderNo);
    expect(event!.payload).toMatchObject({ packageIds: [] });
    await consumedByLogistics(event!.eventId);
    expect(await carrierRequests("ZTO", trackingNo)).toBe(0);
    const [kept] = await packagesOf(suite.url, merchant, orderNo, 1);
    expect(kept).toMatchObject({ status: "WAYBILL_PRINTED", trackingNo, lines: [{ quantity: 1 }] });
    expect(kept.waybillCancelledAt).toBeUndefined();

    const shipped = await ship(suite.url, merchant, pkg.packageId, { method: "ONLINE_WAYBILL" });
    expect(shipped).toMatchObject({ status: "HANDED_OVER", carrier: "ZTO", trackingNo });
    const sent = await trackingEvent(suite.url, "ZTO", trackingNo, { status: "PICKED_UP" });
    expect(sent.answers).toEqual([{ ok: true, duplicate: false, status: "PICKED_UP" }]);
    await orderReaches(suite.url, token, orderNo, "SHIPPED");
  });

  it("retries a failing carrier until the waybill is cancelled, without undoing the interception", async () => {
    const { food, merchant } = await shop();
    const { token, order, orderNo } = await paidOrder(suite.catalog, [{ skuId: food, quantity: 1 }]);
    const [pkg] = await packagesOf(suite.url, merchant, orderNo, 1);
    const { trackingNo } = await printWaybill(merchant, pkg.packageId, "JD");

    const sandbox: CarrierAdapter = logistics().deps.carriers.get("JD");
    const original = sandbox.cancelWaybill;
    const attempts: string[] = [];
    sandbox.cancelWaybill = (waybillNo: string) => {
      if (waybillNo !== trackingNo) return original.call(sandbox, waybillNo);
      attempts.push(waybillNo);
      return attempts.length <= 2
        ? Promise.reject(new Error("JD open platform: 503 Service Unavailable"))
        : original.call(sandbox, waybillNo);
    };
    try {
      await cancelApproved(token, merchant, orderNo, [{ lineId: order.lines[0].lineId, quantity: 1 }]);
      // While the carrier fails, the package is intercepted and the order closed all the same.
      await orderReaches(suite.url, token, orderNo, "CLOSED");
      await waitFor(
        "the waybill to be cancelled",
        async () => (await carrierRequests("JD", trackingNo)) === 1,
      );
    } finally {
      sandbox.cancelWaybill = original;
    }
    expect(attempts).toHaveLength(3);
    const [intercepted] = await packagesOf(suite.url, merchant, orderNo, 1);
    expect(intercepted).toMatchObject({ status: "INTERCEPTED", waybillCancelledAt: expect.any(String) });
  });
});
