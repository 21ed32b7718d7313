import type { WarehouseService } from "../../../services/warehouse/warehouse.service";
import type {
  InterceptResult,
  PackageInterceptedPayload,
  PackagesOfResult,
} from "../../../shared/contracts/warehouse.contract";
import { waitFor } from "../../support/system";
import {
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

describe("warehouse: interception and the packages of an order", () => {
  const sys = useWarehouseSystem();
  const shopId = uid("shop");
  const [wh1, wh2] = [uid("wh1"), uid("wh2")];
  const intercept = (params: object) => sys.call<InterceptResult>("warehouse.intercept", params);
  const ship = (packageId: string) =>
    sys.call("warehouse.ship", { packageId, method: "NO_LOGISTICS" }, asMerchant(shopId));

  /** A paid order: line L1 of 3 units in wh1, line L2 of 2 units in wh2 (two packages). */
  async function order() {
    const a = await sku(sys, shopId, { stock: { [wh1]: 10 } });
    const b = await sku(sys, shopId, { stock: { [wh2]: 10 } });
    const paid = await paidOrder(sys, shopId, [
      { skuId: a, quantity: 3 },
      { skuId: b, quantity: 2 },
    ]);
    const packages = await fulfil(sys, paid);
    return { orderNo: paid.payload.orderNo, a, b, packages };
  }

  beforeAll(async () => {
    await warehouses(sys, wh1, wh2);
  });

  it("takes units out of open packages, intercepts an emptied one and releases their stock", async () => {
    const { orderNo, a, b, packages } = await order();
    const interceptId = uid("icp");
    const params = {
      orderNo,
      interceptId,
      lines: [
        { lineId: "L1", quantity: 1 },
        { lineId: "L2", quantity: 2 },
      ],
      reason: "BUYER_CANCELLED",
    };
    const result = await intercept(params);
    expect(result).toEqual({
      orderNo,
      interceptId,
      lines: [
        { lineId: "L1", skuId: a, quantity: 1 },
        { lineId: "L2", skuId: b, quantity: 2 },
      ],
      packageIds: [packages[1]!.packageId],
    });
    const after = (await sys.call<PackagesOfResult>("warehouse.packagesOf", { orderNo })).items;
    expect(after.map((p) => [p.status, p.lines])).toEqual([
      ["PENDING", [{ lineId: "L1", skuId: a, quantity: 2 }]],
      ["INTERCEPTED", []],
    ]);
    expect(after[1]!.task.interceptedAt).not.toBeNull();

    // Idempotent: the same id answers the stored result and changes nothing more.
    const before = await snapshot(sys.pool, orderNo);
    expect(await intercept(params)).toEqual(result);
    expect(await intercept({ ...params, lines: [{ lineId: "L1", quantity: 2 }] })).toEqual(result);
    expect(await snapshot(sys.pool, orderNo)).toEqual(before);

    const events = await recorded<PackageInterceptedPayload>(sys.pool, "package.intercepted", orderNo);
    expect(events).toEqual([{ ...result, allShipped: false }]);

    // The units go back to available stock; nothing left the warehouse.
    await waitFor("stock released", async () => (await stockOf(sys, b, wh2)).reserved === 0);
    expect(await stockOf(sys, a, wh1)).toEqual({ onHand: 10, reserved: 2 });
    expect(await stockOf(sys, b, wh2)).toEqual({ onHand: 10, reserved: 0 });

    // Shipping what is left completes the order.
    await ship(packages[0]!.packageId);
    const shipped = await recorded(sys.pool, "package.shipped", orderNo);
    expect(shipped[0]).toMatchObject({ allShipped: true });
    await waitFor("stock shipped", async () => (await stockOf(sys, a, wh1)).onHand === 8);
    expect(await stockOf(sys, a, wh1)).toEqual({ onHand: 8, reserved: 0 });
  });

  it("is all or nothing: units already handed over refuse the whole interception", async () => {
    const { orderNo, packages } = await order();
    await ship(packages[0]!.packageId);
    const before = await snapshot(sys.pool, orderNo);
    const err = await failure(
      intercept({
        orderNo,
        interceptId: uid("icp"),
        lines: [
          { lineId: "L2", quantity: 2 },
          { lineId: "L1", quantity: 1 },
        ],
        reason: "BUYER_CANCELLED",
      }),
    );
    expect(err).toMatchObject({ type: "PACKAGE_ALREADY_SHIPPED", code: 409, data: { lineId: "L1" } });
    expect(await snapshot(sys.pool, orderNo)).toEqual(before);

    // Without lines: everything not handed over; the last holder shipped, so allShipped is true.
    const rest = await intercept({ orderNo, interceptId: uid("icp"), reason: "BUYER_CANCELLED" });
    expect(rest.lines).toEqual([expect.objectContaining({ lineId: "L2", quantity: 2 })]);
    const events = await recorded<PackageInterceptedPayload>(sys.pool, "package.intercepted", orderNo);
    expect(events.map((e) => e.allShipped)).toEqual([true]);
    expect(
      await failure(
        intercept({ orderNo, interceptId: uid("icp"), lines: [{ lineId: "L1", quantity: 1 }], reason: "x" }),
      ),
    ).toMatchObject({ type: "PACKAGE_ALREADY_SHIPPED", data: { lineId: "L1" } });
  });

  it("names the field of an unknown line or too many units, and a missing fulfilment", async () => {
    const { orderNo } = await order();
    const before = await snapshot(sys.pool, orderNo);
    const bad = (lines: object[]) =>
      failure(intercept({ orderNo, interceptId: uid("icp"), lines, reason: "x" }));
    expect(
      await bad([
        { lineId: "L1", quantity: 1 },
        { lineId: "L9", quantity: 1 },
      ]),
    ).toMatchObject({
      type: "VALIDATION_FAILED",
      code: 422,
      data: { field: "lines[1].lineId" },
    });
    expect(await bad([{ lineId: "L1", quantity: 4 }])).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "lines[0].quantity" },
    });
    expect(await snapshot(sys.pool, orderNo)).toEqual(before);
    expect(
      await failure(intercept({ orderNo: "20261126999999990", interceptId: uid("icp"), reason: "x" })),
    ).toMatchObject({ type: "NOT_FOUND", data: { orderNo: "20261126999999990" } });
  });

  it("answers the packages without tracking when logistics cannot be reached", async () => {
    const { orderNo, packages } = await order();
    await sys.call(
      "warehouse.ship",
      { packageId: packages[0]!.packageId, method: "ONLINE_WAYBILL", carrier: "JD" },
      asMerchant(shopId),
    );
    const withTracking = (await sys.call<PackagesOfResult>("warehouse.packagesOf", { orderNo })).items;
    expect(withTracking.map((p) => p.logisticsStatus)).toEqual(["CREATED", null]);

    const service = sys.broker.getLocalService("warehouse") as unknown as WarehouseService;
    const original = service.deps.calls.tracking;
    service.deps.calls.tracking = () => Promise.reject(new Error("logistics is down"));
    try {
      const items = (await sys.call<PackagesOfResult>("warehouse.packagesOf", { orderNo })).items;
      expect(items.map((p) => [p.status, p.trackingNo, p.logisticsStatus, p.events])).toEqual([
        ["HANDED_OVER", withTracking[0]!.trackingNo, null, []],
        ["PENDING", null, null, []],
      ]);
    } finally {
      service.deps.calls.tracking = original;
    }
    expect(await sys.call("warehouse.packagesOf", { orderNo: "20261126999999991" })).toEqual({ items: [] });
    expect(await sys.call("warehouse.packageOwner", { packageId: packages[0]!.packageId })).toMatchObject({
      orderNo,
      shopId,
      status: "HANDED_OVER",
    });
  });
});
