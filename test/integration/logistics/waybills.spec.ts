import "./logistics-env";
import { CARRIER_FORMATS } from "../../../services/logistics/carriers/carrier-registry";
import { CARRIERS } from "../../../shared/contracts/logistics.contract";
import {
  ADDRESS,
  carrierWebhook,
  count,
  newPackage,
  typedTrackingNo,
  useLogisticsSystem,
} from "./logistics-harness";

describe("logistics waybills and shipments", () => {
  const sys = useLogisticsSystem();
  const createWaybill = (carrier: string, pkg = newPackage()) =>
    sys.call("logistics.createWaybill", { carrier, ...pkg, address: ADDRESS, weightGrams: 1_200 });
  const register = (carrier: string, trackingNo: string, pkg = newPackage(), method = "MANUAL") =>
    sys.call("logistics.registerShipment", { carrier, trackingNo, ...pkg, method });
  const shipmentRow = async (packageId: string) =>
    (await sys.pool.query("SELECT * FROM shipments WHERE package_id = $1", [packageId])).rows[0];
  const firstEvent = (carrier: (typeof CARRIERS)[number], trackingNo: string) =>
    sys.call("logistics.callback", {
      carrier,
      ...carrierWebhook(carrier, { trackingNo, status: "PICKED_UP", at: new Date().toISOString() }),
    });

  it.each(CARRIERS)(
    "issues a %s online waybill in the carrier's format, once per package",
    async (carrier) => {
      const pkg = newPackage();
      const first = await createWaybill(carrier, pkg);
      expect(first.carrier).toBe(carrier);
      expect(CARRIER_FORMATS[carrier].isTrackingNo(first.trackingNo)).toBe(true);
      expect(await createWaybill(carrier, pkg)).toEqual(first);
      expect(await createWaybill(carrier.toLowerCase(), pkg)).toEqual(first);
      const other = await createWaybill(carrier);
      expect(other.trackingNo).not.toBe(first.trackingNo);
      expect(await shipmentRow(pkg.packageId)).toMatchObject({
        order_no: pkg.orderNo,
        carrier,
        tracking_no: first.trackingNo,
        method: "ONLINE_WAYBILL",
        status: "CREATED",
        rank: 0,
        status_at: null,
      });
    },
  );

  it("answers concurrent requests for one package with one tracking number", async () => {
    const pkg = newPackage();
    const answers = await Promise.all(Array.from({ length: 6 }, () => createWaybill("JD", pkg)));
    expect(new Set(answers.map((a) => a.trackingNo)).size).toBe(1);
    expect(
      await count(sys.pool, "SELECT count(*) AS n FROM shipments WHERE package_id = $1", [pkg.packageId]),
    ).toBe(1);
  });

  it("refuses an unknown carrier with CARRIER_UNKNOWN naming the field", async () => {
    const pkg = newPackage();
    await expect(createWaybill("DHL", pkg)).rejects.toMatchObject({
      type: "CARRIER_UNKNOWN",
      code: 422,
      data: { field: "carrier" },
    });
    await expect(register("DHL", "SF123456789012", pkg)).rejects.toMatchObject({
      type: "CARRIER_UNKNOWN",
      data: { field: "carrier" },
    });
    expect(await shipmentRow(pkg.packageId)).toBeUndefined();
  });

  it("changes a waybill's carrier only until the first tracking event", async () => {
    const pkg = newPackage();
    const sf = await createWaybill("SF", pkg);
    const zto = await createWaybill("ZTO", pkg);
    expect(zto.carrier).toBe("ZTO");
    expect(await shipmentRow(pkg.packageId)).toMatchObject({ carrier: "ZTO", tracking_no: zto.trackingNo });
    // The SF number is free again: a webhook for it finds no package.
    await expect(firstEvent("SF", sf.trackingNo)).rejects.toMatchObject({ type: "NOT_FOUND" });
    await firstEvent("ZTO", zto.trackingNo);
    await expect(createWaybill("SF", pkg)).rejects.toMatchObject({
      type: "CONFLICT",
      code: 409,
      data: { packageId: pkg.packageId, carrier: "ZTO", trackingNo: zto.trackingNo },
    });
    expect(await createWaybill("ZTO", pkg)).toEqual(zto);
  });

  it.each(CARRIERS)("registers a %s tracking number typed by the merchant", async (carrier) => {
    const pkg = newPackage();
    const trackingNo = typedTrackingNo(carrier);
    const record = await register(carrier, trackingNo, pkg);
    expect(record).toEqual({ ...pkg, carrier, trackingNo, status: "CREATED", events: [] });
    expect(await shipmentRow(pkg.packageId)).toMatchObject({ method: "MANUAL", status: "CREATED" });
  });

  it("reads a typed number with spaces and lower case as the carrier prints it", async () => {
    const pkg = newPackage();
    const trackingNo = typedTrackingNo("SF");
    const typed = `${trackingNo.slice(0, 6).toLowerCase()} ${trackingNo.slice(6)}`;
    expect(await register("sf", typed, pkg)).toMatchObject({ carrier: "SF", trackingNo });
  });

  it("refuses a typed number not in the carrier's format, naming the field, and stores nothing", async () => {
    const pkg = newPackage();
    for (const [carrier, trackingNo] of [
      ["SF", "SF12345"],
      ["ZTO", "SF123456789012"],
      ["YTO", "YT12"],
      ["JD", "JDVZ12345678901"],
      ["CAINIAO", "LP123"],
    ]) {
      await expect(register(carrier!, trackingNo!, pkg)).rejects.toMatchObject({
        type: "TRACKING_NO_INVALID",
        code: 422,
        data: { field: "trackingNo", carrier },
      });
    }
    expect(await shipmentRow(pkg.packageId)).toBeUndefined();
  });

  it("refuses a number bound to another package with TRACKING_NO_IN_USE", async () => {
    const first = newPackage();
    const trackingNo = typedTrackingNo("YTO");
    await register("YTO", trackingNo, first);
    const second = newPackage();
    await expect(register("YTO", trackingNo, second)).rejects.toMatchObject({
      type: "TRACKING_NO_IN_USE",
      code: 409,
      data: { trackingNo },
    });
    expect(await shipmentRow(second.packageId)).toBeUndefined();
    // Nor may a package switch to it.
    const third = newPackage();
    await register("YTO", typedTrackingNo("YTO"), third);
    await expect(register("YTO", trackingNo, third)).rejects.toMatchObject({ type: "TRACKING_NO_IN_USE" });
  });

  it("lets exactly one of several packages racing for a number have it", async () => {
    const trackingNo = typedTrackingNo("CAINIAO");
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => register("CAINIAO", trackingNo, newPackage())),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ type: "TRACKING_NO_IN_USE" });
    }
  });

  it("answers a repeated registration with the first result and replaces the number only before any event", async () => {
    const pkg = newPackage();
    const first = typedTrackingNo("ZTO");
    const record = await register("ZTO", first, pkg);
    expect(await register("ZTO", first, pkg)).toEqual(record);
    const second = typedTrackingNo("ZTO");
    expect(await register("ZTO", second, pkg)).toMatchObject({ trackingNo: second, status: "CREATED" });
    await firstEvent("ZTO", second);
    await expect(register("ZTO", typedTrackingNo("ZTO"), pkg)).rejects.toMatchObject({
      type: "CONFLICT",
      code: 409,
    });
    expect(await register("ZTO", second, pkg)).toMatchObject({ trackingNo: second, status: "PICKED_UP" });
    expect(await shipmentRow(pkg.packageId)).toMatchObject({ tracking_no: second, status: "PICKED_UP" });
  });

  it("registers an online waybill at hand-over as the shipment it already is", async () => {
    const pkg = newPackage();
    const waybill = await createWaybill("CAINIAO", pkg);
    const record = await register("CAINIAO", waybill.trackingNo, pkg, "ONLINE_WAYBILL");
    expect(record).toEqual({ ...pkg, ...waybill, status: "CREATED", events: [] });
    expect(await shipmentRow(pkg.packageId)).toMatchObject({ method: "ONLINE_WAYBILL" });
  });

  it("lists the shipments of the packages asked for, in that order, leaving out unknown ones", async () => {
    const a = newPackage();
    const b = newPackage();
    await register("SF", typedTrackingNo("SF"), a);
    await createWaybill("YTO", b);
    const { items } = await sys.call("logistics.tracking", {
      packageIds: [b.packageId, "PKG-unknown", a.packageId],
    });
    expect(items.map((s: { packageId: string }) => s.packageId)).toEqual([b.packageId, a.packageId]);
    expect(items[0]).toMatchObject({ carrier: "YTO", status: "CREATED", events: [] });
    expect(await sys.call("logistics.tracking", { packageIds: [] })).toEqual({ items: [] });
  });
});
