import "./logistics-env";
import { randomUUID } from "node:crypto";
import type { CarrierAdapter } from "../../../services/logistics/carriers/carrier";
import { WAYBILL_CANCEL_GROUP } from "../../../services/logistics/commands/intercepted-waybills";
import type { LogisticsService } from "../../../services/logistics/logistics.service";
import { publishToChannel } from "../../../shared/channels";
import { CARRIERS, type Carrier } from "../../../shared/contracts/logistics.contract";
import {
  type PackageInterceptedPayload,
  WAREHOUSE_CHANNELS,
} from "../../../shared/contracts/warehouse.contract";
import { type EventEnvelope, newEvent } from "../../../shared/outbox/outbox";
import {
  ADDRESS,
  carrierWebhook,
  count,
  eventually,
  newPackage,
  onlineWaybill,
  typedTrackingNo,
  useLogisticsSystem,
} from "./logistics-harness";

describe("logistics: cancelling online waybills", () => {
  const sys = useLogisticsSystem();
  const { call } = sys;

  const waybill = (carrier: Carrier = "SF") => onlineWaybill(sys, carrier, 900);
  const cancel = (params: object) =>
    call("logistics.cancelWaybill", { reason: "BUYER_CANCELLED", ...params });
  const shipmentRow = async (packageId: string) =>
    (await sys.pool.query("SELECT * FROM shipments WHERE package_id = $1", [packageId])).rows[0];
  /** Cancel requests the sandbox carrier received for a waybill (0: never asked). */
  const carrierRequests = (w: { carrier: Carrier; trackingNo: string }) =>
    count(
      sys.pool,
      "SELECT requests AS n FROM sandbox_waybill_cancellations WHERE carrier = $1 AND tracking_no = $2",
      [w.carrier, w.trackingNo],
    );
  const storedEvents = (trackingNo: string) =>
    count(sys.pool, "SELECT count(*) AS n FROM tracking_events WHERE tracking_no = $1", [trackingNo]);
  const adapter = (carrier: Carrier): CarrierAdapter =>
    (sys.broker.getLocalService("logistics") as unknown as LogisticsService).deps.carriers.get(carrier);

  it.each(CARRIERS)("cancels a %s online waybill at the sandbox carrier once, by number", async (carrier) => {
    const w = await waybill(carrier);
    const first = await cancel({ waybillNo: w.trackingNo.toLowerCase() });
    expect(first).toMatchObject({
      packageId: w.packageId,
      carrier,
      trackingNo: w.trackingNo,
      status: "CREATED",
      cancelledAt: expect.any(String),
    });
    expect(await carrierRequests(w)).toBe(1);
    // Retries, by number, by package or with another reason, answer the record and ask no carrier.
    expect(await cancel({ waybillNo: w.trackingNo, carrier: carrier.toLowerCase() })).toEqual(first);
    expect(await cancel({ packageId: w.packageId, reason: "another" })).toEqual(first);
    expect(await carrierRequests(w)).toBe(1);
    expect(await shipmentRow(w.packageId)).toMatchObject({ cancel_reason: "BUYER_CANCELLED" });
    expect((await call("logistics.tracking", { packageIds: [w.packageId] })).items).toEqual([first]);
  });

  it("refuses tracking events, hand-over and new waybills for a cancelled waybill, storing nothing", async () => {
    const w = await waybill("JD");
    // An event the carrier sent before the cancellation.
    const early = carrierWebhook("JD", {
      trackingNo: w.trackingNo,
      status: "CREATED",
      at: new Date().toISOString(),
    });
    expect(await call("logistics.callback", { carrier: "JD", ...early })).toMatchObject({ duplicate: false });
    await cancel({ packageId: w.packageId });
    const cancelled = {
      type: "CONFLICT",
      code: 409,
      data: { reason: "WAYBILL_CANCELLED", trackingNo: w.trackingNo },
    };

    await expect(
      call("logistics.sandboxEvent", { carrier: "JD", trackingNo: w.trackingNo, status: "PICKED_UP" }),
    ).rejects.toMatchObject(cancelled);
    const late = carrierWebhook("JD", {
      trackingNo: w.trackingNo,
      status: "PICKED_UP",
      at: new Date().toISOString(),
    });
    await expect(call("logistics.callback", { carrier: "JD", ...late })).rejects.toMatchObject(cancelled);
    // A carrier's retry of the event stored before is still a duplicate, not an error.
    expect(await call("logistics.callback", { carrier: "JD", ...early })).toEqual({
      ok: true,
      duplicate: true,
      status: "CREATED",
    });
    expect(await storedEvents(w.trackingNo)).toBe(1);

    await expect(
      call("logistics.registerShipment", {
        carrier: "JD",
        trackingNo: w.trackingNo,
        ...newPackage(),
        method: "ONLINE_WAYBILL",
      }),
    ).rejects.toMatchObject({ type: "TRACKING_NO_IN_USE" });
    const { packageId, orderNo } = w;
    await expect(
      call("logistics.registerShipment", {
        carrier: "JD",
        trackingNo: w.trackingNo,
        packageId,
        orderNo,
        method: "ONLINE_WAYBILL",
      }),
    ).rejects.toMatchObject(cancelled);
    await expect(
      call("logistics.registerShipment", {
        carrier: "SF",
        trackingNo: typedTrackingNo("SF"),
        packageId,
        orderNo,
        method: "MANUAL",
      }),
    ).rejects.toMatchObject(cancelled);
    for (const carrier of ["JD", "ZTO"]) {
      await expect(
        call("logistics.createWaybill", { carrier, packageId, orderNo, address: ADDRESS, weightGrams: 900 }),
      ).rejects.toMatchObject(cancelled);
    }
    expect(await shipmentRow(packageId)).toMatchObject({
      carrier: "JD",
      tracking_no: w.trackingNo,
      status: "CREATED",
    });
  });

  it("does not cancel a waybill the carrier already has, nor a typed-in number, and asks no carrier", async () => {
    const w = await waybill("ZTO");
    await call("logistics.sandboxEvent", { carrier: "ZTO", trackingNo: w.trackingNo, status: "PICKED_UP" });
    await expect(cancel({ waybillNo: w.trackingNo })).rejects.toMatchObject({
      type: "CONFLICT",
      data: { reason: "WAYBILL_PICKED_UP", status: "PICKED_UP" },
    });
    expect(await carrierRequests(w)).toBe(0);

    const typed = { ...newPackage(), trackingNo: typedTrackingNo("YTO") };
    await call("logistics.registerShipment", { carrier: "YTO", ...typed, method: "MANUAL" });
    await expect(cancel({ packageId: typed.packageId })).rejects.toMatchObject({
      type: "CONFLICT",
      data: { reason: "NOT_ONLINE_WAYBILL" },
    });
    expect(await shipmentRow(typed.packageId)).toMatchObject({ cancelled_at: null, cancel_reason: null });
  });

  it("names what is missing or does not belong together", async () => {
    const w = await waybill("CAINIAO");
    await expect(cancel({})).rejects.toMatchObject({
      type: "VALIDATION_FAILED",
      code: 422,
      data: { field: "waybillNo" },
    });
    await expect(cancel({ packageId: "PKG-none" })).rejects.toMatchObject({
      type: "NOT_FOUND",
      data: { packageId: "PKG-none" },
    });
    await expect(cancel({ waybillNo: "LP00999999999999" })).rejects.toMatchObject({ type: "NOT_FOUND" });
    await expect(cancel({ waybillNo: w.trackingNo, carrier: "DHL" })).rejects.toMatchObject({
      type: "CARRIER_UNKNOWN",
    });
    await expect(cancel({ waybillNo: w.trackingNo, packageId: "PKG-other" })).rejects.toMatchObject({
      type: "CONFLICT",
      data: { reason: "WAYBILL_NOT_OF_PACKAGE" },
    });
    expect(await carrierRequests(w)).toBe(0);
  });

  it("keeps the waybill live when the carrier fails, and cancels it on the retry", async () => {
    const w = await waybill("YTO");
    const sandbox = adapter("YTO");
    const original = sandbox.cancelWaybill;
    sandbox.cancelWaybill = () => Promise.reject(new Error("YTO open platform: 502 Bad Gateway"));
    try {
      await expect(cancel({ packageId: w.packageId })).rejects.toThrow("502");
    } finally {
      sandbox.cancelWaybill = original;
    }
    expect(await shipmentRow(w.packageId)).toMatchObject({ cancelled_at: null });
    expect(await carrierRequests(w)).toBe(0);
    expect(await cancel({ packageId: w.packageId })).toMatchObject({ cancelledAt: expect.any(String) });
    expect(await carrierRequests(w)).toBe(1);
  });

  describe("the package.intercepted consumer", () => {
    const intercepted = (packageIds: string[]) =>
      newEvent<PackageInterceptedPayload>(WAREHOUSE_CHANNELS.intercepted, {
        orderNo: `ORD-${randomUUID().slice(0, 8)}`,
        interceptId: `AS-${randomUUID().slice(0, 8)}`,
        lines: [],
        packageIds,
        allShipped: false,
      });
    const publish = (envelope: EventEnvelope) =>
      publishToChannel(sys.broker, envelope.name, envelope, { deduplicate: false });
    const consumed = (eventId: string) =>
      count(sys.pool, "SELECT count(*) AS n FROM inbox WHERE consumer = $1 AND event_id = $2", [
        WAYBILL_CANCEL_GROUP,
        eventId,
      ]);

    it("cancels the online waybills of the emptied packages once, also when the event comes again", async () => {
      const online = await waybill("SF");
      const typed = { ...newPackage(), trackingNo: typedTrackingNo("SF") };
      await call("logistics.registerShipment", { carrier: "SF", ...typed, method: "MANUAL" });
      const live = await waybill("SF");
      const event = intercepted([online.packageId, typed.packageId, "PKG-without-waybill"]);
      await publish(event);
      await eventually("the event to be consumed", async () => (await consumed(event.eventId)) === 1);
      expect(await shipmentRow(online.packageId)).toMatchObject({
        cancelled_at: expect.any(Date),
        cancel_reason: `package intercepted (${event.payload.interceptId})`,
      });
      expect(await carrierRequests(online)).toBe(1);
      expect(await shipmentRow(typed.packageId)).toMatchObject({ cancelled_at: null });
      expect(await shipmentRow(live.packageId)).toMatchObject({ cancelled_at: null });
      expect(await carrierRequests(live)).toBe(0);

      // The same event redelivered, and the same fact under a new event id: the carrier is not asked again.
      const again = { ...event, eventId: randomUUID() };
      await publish(event);
      await publish(again);
      await eventually("the copy to be consumed", async () => (await consumed(again.eventId)) === 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await carrierRequests(online)).toBe(1);
      expect(await consumed(event.eventId)).toBe(1);
    });

    afterEach(() => jest.restoreAllMocks());

    it("refuses a waybill for a package intercepted before it had one, asking no carrier", async () => {
      const pkg = newPackage();
      const event = intercepted([pkg.packageId]);
      await publish(event);
      await eventually("the event to be consumed", async () => (await consumed(event.eventId)) === 1);
      const issue = jest.spyOn(adapter("SF"), "createWaybill");
      await expect(
        call("logistics.createWaybill", { carrier: "SF", ...pkg, address: ADDRESS, weightGrams: 500 }),
      ).rejects.toMatchObject({ type: "PACKAGE_INTERCEPTED", code: 409, data: { packageId: pkg.packageId } });
      expect(issue).not.toHaveBeenCalled();
      expect(await shipmentRow(pkg.packageId)).toBeUndefined();
    });

    it("cancels a waybill the carrier issued while the package was being intercepted", async () => {
      const pkg = newPackage();
      // The carrier answers only once the interception was consumed (and found no waybill to cancel).
      const sf = adapter("SF");
      const issue = sf.createWaybill.bind(sf);
      let answer: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        answer = resolve;
      });
      let asked: () => void = () => undefined;
      const carrierAsked = new Promise<void>((resolve) => {
        asked = resolve;
      });
      jest.spyOn(sf, "createWaybill").mockImplementation(async (req) => {
        asked();
        await held;
        return issue(req);
      });
      const printing = call("logistics.createWaybill", {
        carrier: "SF",
        ...pkg,
        address: ADDRESS,
        weightGrams: 500,
      });
      await carrierAsked;
      const event = intercepted([pkg.packageId]);
      await publish(event);
      await eventually("the event to be consumed", async () => (await consumed(event.eventId)) === 1);
      answer();
      await expect(printing).rejects.toMatchObject({ type: "PACKAGE_INTERCEPTED", code: 409 });
      const row = await shipmentRow(pkg.packageId);
      expect(row).toMatchObject({
        cancelled_at: expect.any(Date),
        cancel_reason: "package intercepted before its waybill was bound",
      });
      expect(await carrierRequests({ carrier: "SF", trackingNo: row.tracking_no })).toBe(1);
    });

    it("retries a failing carrier with backoff until the waybill is cancelled", async () => {
      const w = await waybill("JD");
      const sandbox = adapter("JD");
      const original = sandbox.cancelWaybill;
      const attempts: number[] = [];
      sandbox.cancelWaybill = (waybillNo: string) => {
        attempts.push(Date.now());
        return attempts.length <= 2
          ? Promise.reject(new Error("JD open platform timed out"))
          : original.call(sandbox, waybillNo);
      };
      try {
        const event = intercepted([w.packageId]);
        await publish(event);
        await eventually(
          "the waybill to be cancelled",
          async () => (await consumed(event.eventId)) === 1,
          20_000,
        );
      } finally {
        sandbox.cancelWaybill = original;
      }
      expect(attempts).toHaveLength(3);
      // Redelivery waits (1 s, then 2 s) instead of hammering the carrier.
      expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(900);
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1_800);
      expect(await carrierRequests(w)).toBe(1);
      expect(await shipmentRow(w.packageId)).toMatchObject({ cancelled_at: expect.any(Date) });
    });

    it("gives up at once on a waybill the carrier already has, and still cancels the others", async () => {
      const pickedUp = await waybill("ZTO");
      await call("logistics.sandboxEvent", {
        carrier: "ZTO",
        trackingNo: pickedUp.trackingNo,
        status: "PICKED_UP",
      });
      const other = await waybill("ZTO");
      const event = intercepted([pickedUp.packageId, other.packageId]);
      await publish(event);
      await eventually("the event to be consumed", async () => (await consumed(event.eventId)) === 1, 5_000);
      expect(await shipmentRow(pickedUp.packageId)).toMatchObject({
        cancelled_at: null,
        status: "PICKED_UP",
      });
      expect(await carrierRequests(pickedUp)).toBe(0);
      expect(await carrierRequests(other)).toBe(1);
    });
  });
});
