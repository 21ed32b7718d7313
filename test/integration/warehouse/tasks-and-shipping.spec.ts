import type { PackageShippedPayload, PackageView } from "../../../shared/contracts/warehouse.contract";
import { waitFor } from "../../support/system";
import {
  asAdmin,
  asBuyer,
  asMerchant,
  failure,
  fulfil,
  paidOrder,
  recorded,
  sku,
  snapshot,
  stockOf,
  uid,
  useWarehouseSystem,
  warehouses,
} from "./warehouse-harness";

describe("warehouse: task steps and hand-over", () => {
  const sys = useWarehouseSystem();
  const shopId = uid("shop");
  const merchant = asMerchant(shopId);
  const wh = uid("wh");
  const wh2 = uid("wh2");
  const step = (packageId: string, s: string, more: object = {}, as: object = merchant) =>
    sys.call<PackageView>("warehouse.advanceTask", { packageId, step: s, ...more }, as);
  const ship = (packageId: string, body: object, as: object = merchant) =>
    sys.call<PackageView>("warehouse.ship", { packageId, ...body }, as);

  /** A paid order with one package per listed warehouse (one unit each) and its SKUs. */
  async function order(...inWarehouses: string[]) {
    const skus: string[] = [];
    for (const w of inWarehouses) skus.push(await sku(sys, shopId, { stock: { [w]: 10 } }));
    const paid = await paidOrder(
      sys,
      shopId,
      skus.map((skuId) => ({ skuId, quantity: 1 })),
    );
    const packages = await fulfil(sys, paid);
    return { orderNo: paid.payload.orderNo, packages, skus };
  }

  beforeAll(async () => {
    await warehouses(sys, wh, wh2);
  });

  describe("task steps", () => {
    it("records pick and pack with their times; a repeated step answers the package unchanged", async () => {
      const { packages } = await order(wh);
      const id = packages[0]!.packageId;
      const picked = await step(id, "PICK");
      expect(picked).toMatchObject({ status: "PICKED", task: { waybillPrintedAt: null } });
      expect(Date.parse(picked.task.pickedAt!)).toBeGreaterThan(Date.now() - 10_000);
      expect(await step(id, "PICK")).toEqual(picked);
      const packed = await step(id, "PACK");
      expect(packed).toMatchObject({ status: "PACKED", task: { pickedAt: picked.task.pickedAt } });
      expect(packed.task.packedAt).not.toBeNull();
      expect(await step(id, "PICK")).toEqual(packed);
    });

    it("prints an online waybill from the carrier and keeps it when printing again", async () => {
      const { packages } = await order(wh);
      const id = packages[0]!.packageId;
      expect(await failure(step(id, "PRINT_WAYBILL"))).toMatchObject({
        type: "CARRIER_REQUIRED",
        data: { field: "carrier" },
      });
      const printed = await step(id, "PRINT_WAYBILL", { carrier: "SF" });
      expect(printed).toMatchObject({ status: "WAYBILL_PRINTED", method: "ONLINE_WAYBILL", carrier: "SF" });
      expect(printed.trackingNo).toMatch(/^SF\d{12,13}$/);
      expect(await step(id, "PRINT_WAYBILL")).toEqual(printed);
      expect((await step(id, "PICK")).task.waybillPrintedAt).toBe(printed.task.waybillPrintedAt);
    });

    it("refuses steps out of order, from another shop or a buyer, and on unknown packages", async () => {
      const { orderNo, packages } = await order(wh);
      const id = packages[0]!.packageId;
      const before = await snapshot(sys.pool, orderNo);
      expect(await failure(step(id, "PACK"))).toMatchObject({
        type: "INVALID_TRANSITION",
        code: 409,
        data: { state: "PENDING", event: "PACK" },
      });
      expect((await failure(step(id, "PICK", {}, asMerchant("another-shop")))).type).toBe("FORBIDDEN");
      expect((await failure(step(id, "PICK", {}, asBuyer("b-1")))).type).toBe("FORBIDDEN");
      expect((await failure(step(`${orderNo}-9`, "PICK"))).type).toBe("PACKAGE_NOT_FOUND");
      expect((await failure(step(id, "LOAD"))).type).toBe("VALIDATION_ERROR");
      await step(id, "PICK");
      expect(await failure(step(id, "PRINT_WAYBILL", { carrier: "SF" }))).toMatchObject({
        type: "INVALID_TRANSITION",
        data: { state: "PICKED", event: "PRINT_WAYBILL" },
      });
      expect((await snapshot(sys.pool, orderNo)).packages[0].waybill_printed_at).toBeNull();
      expect((await snapshot(sys.pool, orderNo)).events).toBe(before.events);
    });

    it("refuses steps on a handed-over or intercepted package", async () => {
      const { orderNo, packages } = await order(wh, wh2);
      const [a, b] = packages.map((p) => p.packageId) as [string, string];
      await ship(a, { method: "NO_LOGISTICS" });
      await sys.call("warehouse.intercept", {
        orderNo,
        interceptId: uid("icp"),
        lines: [{ lineId: packages[1]!.lines[0]!.lineId, quantity: 1 }],
        reason: "cancel",
      });
      expect(await failure(step(a, "PICK"))).toMatchObject({ type: "PACKAGE_ALREADY_SHIPPED", code: 409 });
      expect(await failure(step(b, "PICK"))).toMatchObject({ type: "PACKAGE_INTERCEPTED", code: 409 });
    });
  });

  describe("hand-over", () => {
    it("ships with the printed online waybill, then the last package flips allShipped", async () => {
      const { orderNo, packages, skus } = await order(wh, wh2);
      const [a, b] = packages.map((p) => p.packageId) as [string, string];
      const printed = await step(a, "PRINT_WAYBILL", { carrier: "ZTO" });
      const shippedA = await ship(a, { method: "ONLINE_WAYBILL" });
      expect(shippedA).toMatchObject({
        status: "HANDED_OVER",
        method: "ONLINE_WAYBILL",
        carrier: "ZTO",
        trackingNo: printed.trackingNo,
        logisticsStatus: "CREATED",
      });
      // Skipped pick and pack take the hand-over time.
      expect(shippedA.task.pickedAt).toBe(shippedA.task.handedOverAt);
      expect(shippedA.task.packedAt).toBe(shippedA.task.handedOverAt);

      const shippedB = await ship(b, { method: "ONLINE_WAYBILL", carrier: "YTO" }, asAdmin);
      expect(shippedB).toMatchObject({ method: "ONLINE_WAYBILL", carrier: "YTO" });
      expect(shippedB.trackingNo).toMatch(/^YT\d{13}$/);

      const events = await recorded<PackageShippedPayload>(sys.pool, "package.shipped", orderNo);
      expect(events.map((e) => [e.packageId, e.allShipped])).toEqual([
        [a, false],
        [b, true],
      ]);
      expect(events[0]).toMatchObject({
        shopId,
        method: "ONLINE_WAYBILL",
        carrier: "ZTO",
        trackingNo: printed.trackingNo,
      });

      // The units leave the warehouse: on hand and reserved both fall by what shipped.
      await waitFor("stock shipped", async () => (await stockOf(sys, skus[1]!, wh2)).onHand === 9);
      expect(await stockOf(sys, skus[0]!, wh)).toEqual({ onHand: 9, reserved: 0 });
      expect(await stockOf(sys, skus[1]!, wh2)).toEqual({ onHand: 9, reserved: 0 });
    });

    it("ships a tracking number typed by the merchant and with no logistics", async () => {
      const { orderNo, packages } = await order(wh, wh2);
      const [a, b] = packages.map((p) => p.packageId) as [string, string];
      const trackingNo = `SF${Date.now()}`.slice(0, 15);
      expect(await ship(a, { method: "MANUAL", carrier: "SF", trackingNo })).toMatchObject({
        status: "HANDED_OVER",
        method: "MANUAL",
        carrier: "SF",
        trackingNo,
      });
      expect(await ship(b, { method: "NO_LOGISTICS" })).toMatchObject({
        status: "HANDED_OVER",
        method: "NO_LOGISTICS",
        carrier: null,
        trackingNo: null,
        logisticsStatus: null,
      });
      const events = await recorded<PackageShippedPayload>(sys.pool, "package.shipped", orderNo);
      expect(events.map((e) => [e.method, e.allShipped])).toEqual([
        ["MANUAL", false],
        ["NO_LOGISTICS", true],
      ]);
    });

    it("refuses every bad hand-over and changes nothing", async () => {
      const { orderNo, packages } = await order(wh, wh2);
      const [a, b] = packages.map((p) => p.packageId) as [string, string];
      const other = await order(wh);
      const usedNo = `SF${String(Date.now()).slice(-12)}`;
      await ship(other.packages[0]!.packageId, { method: "MANUAL", carrier: "SF", trackingNo: usedNo });
      const before = await snapshot(sys.pool, orderNo);

      const cases: [object, object, string, string | undefined][] = [
        [{ method: "NO_LOGISTICS" }, asMerchant("another-shop"), "FORBIDDEN", undefined],
        [{ method: "NO_LOGISTICS" }, asBuyer("b-1"), "FORBIDDEN", undefined],
        [{ method: "ONLINE_WAYBILL" }, merchant, "CARRIER_REQUIRED", "carrier"],
        [{ method: "MANUAL", trackingNo: usedNo }, merchant, "CARRIER_REQUIRED", "carrier"],
        [{ method: "MANUAL", carrier: "SF" }, merchant, "VALIDATION_FAILED", "trackingNo"],
        [
          { method: "MANUAL", carrier: "SF", trackingNo: "12345" },
          merchant,
          "TRACKING_NO_INVALID",
          "trackingNo",
        ],
        [
          { method: "MANUAL", carrier: "DHL", trackingNo: "SF123456789012" },
          merchant,
          "CARRIER_UNKNOWN",
          "carrier",
        ],
        [{ method: "ONLINE_WAYBILL", carrier: "DHL" }, merchant, "CARRIER_UNKNOWN", "carrier"],
        [{ method: "MANUAL", carrier: "SF", trackingNo: usedNo }, merchant, "TRACKING_NO_IN_USE", undefined],
        [{ method: "NO_LOGISTICS", carrier: "SF" }, merchant, "VALIDATION_FAILED", "carrier"],
        [{ method: "POST" }, merchant, "VALIDATION_ERROR", undefined],
      ];
      for (const [body, as, type, field] of cases) {
        const err = await failure(ship(a, body, as));
        expect({ body, type: err.type }).toEqual({ body, type });
        if (field) expect(err.data.field).toBe(field);
      }
      expect((await failure(ship(`${orderNo}-7`, { method: "NO_LOGISTICS" }))).type).toBe(
        "PACKAGE_NOT_FOUND",
      );
      expect(await snapshot(sys.pool, orderNo)).toEqual(before);

      await ship(a, { method: "NO_LOGISTICS" });
      const afterShip = await snapshot(sys.pool, orderNo);
      expect(await failure(ship(a, { method: "NO_LOGISTICS" }))).toMatchObject({
        type: "PACKAGE_ALREADY_SHIPPED",
        code: 409,
      });
      await sys.call("warehouse.intercept", { orderNo, interceptId: uid("icp"), reason: "cancel" });
      const afterIntercept = await snapshot(sys.pool, orderNo);
      expect(await failure(ship(b, { method: "NO_LOGISTICS" }))).toMatchObject({
        type: "PACKAGE_INTERCEPTED",
        code: 409,
      });
      expect(afterShip.packages[1].status).toBe("PENDING");
      expect(await snapshot(sys.pool, orderNo)).toEqual(afterIntercept);
    });

    it("decides allShipped under the order's lock when two packages ship at once", async () => {
      const { orderNo, packages } = await order(wh, wh2);
      await Promise.all(packages.map((p) => ship(p.packageId, { method: "NO_LOGISTICS" })));
      const events = await recorded<PackageShippedPayload>(sys.pool, "package.shipped", orderNo);
      expect(events.map((e) => e.allShipped).sort()).toEqual([false, true]);
    });
  });
});
