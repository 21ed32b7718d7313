import type { Pool } from "pg";
import type { WarehouseService } from "../../../services/warehouse/warehouse.service";
import type { CreateWaybillParams } from "../../../shared/contracts/logistics.contract";
import type {
  CreateReplacementResult,
  InterceptResult,
  PackageShippedPayload,
  PackagesOfResult,
  PackageView,
  ReceiveReturnResult,
} from "../../../shared/contracts/warehouse.contract";
import { waitFor } from "../../support/system";
import {
  ADDRESS,
  asMerchant,
  failure,
  fulfil,
  orderNumber,
  paidOrder,
  recorded,
  sku,
  snapshot,
  stockOf,
  uid,
  useWarehouseSystem,
  warehouses,
} from "./warehouse-harness";

/** A fresh after-sales number (the order service's are 20 digits with type digit 7). */
const afterSalesNumber = () => `7${orderNumber()}`;

const EXCHANGE_ADDRESS = {
  ...ADDRESS,
  name: "Han Mei",
  province: "Jiangsu",
  city: "Suzhou",
  detail: "8 Renmin Road",
};

describe("warehouse: returns received and exchange replacements", () => {
  const sys = useWarehouseSystem();
  const shopId = uid("shop");
  const merchant = asMerchant(shopId);
  const [wh1, wh2] = [uid("wh1"), uid("wh2")];
  const ship = (packageId: string) =>
    sys.call<PackageView>("warehouse.ship", { packageId, method: "NO_LOGISTICS" }, merchant);
  const receive = (params: object) => sys.call<ReceiveReturnResult>("warehouse.receiveReturn", params);
  const replace = (params: object) =>
    sys.call<CreateReplacementResult>("warehouse.createReplacement", params);
  const packagesNow = async (orderNo: string) =>
    (await sys.call<PackagesOfResult>("warehouse.packagesOf", { orderNo })).items;
  const stockIs = (skuId: string, warehouseId: string, expected: { onHand: number; reserved: number }) =>
    waitFor(`stock of ${skuId} at ${JSON.stringify(expected)}`, async () => {
      const now = await stockOf(sys, skuId, warehouseId);
      return now.onHand === expected.onHand && now.reserved === expected.reserved;
    });
  const rowCount = async (sql: string, params: unknown[]) => (await sys.pool.query(sql, params)).rowCount;

  /** A paid and packed order of `quantity` units of a new SKU with `onHand` units in wh1 (one package). */
  async function order(quantity: number, onHand = 10) {
    const skuId = await sku(sys, shopId, { stock: { [wh1]: onHand } });
    const paid = await paidOrder(sys, shopId, [{ skuId, quantity }]);
    const packages = await fulfil(sys, paid);
    const { orderNo, buyerId } = paid.payload;
    return { orderNo, buyerId, skuId, packages };
  }

  /** The createReplacement params for `quantity` units of line L1 of the order. */
  const exchangeOf = (
    o: Awaited<ReturnType<typeof order>>,
    quantity = 1,
    afterSalesNo = afterSalesNumber(),
  ) => ({
    afterSalesNo,
    orderNo: o.orderNo,
    shopId,
    buyerId: o.buyerId,
    address: EXCHANGE_ADDRESS,
    lines: [{ lineId: "L1", skuId: o.skuId, quantity }],
  });

  beforeAll(async () => {
    await warehouses(sys, wh1, wh2);
  });

  describe("receiveReturn", () => {
    it("puts the returned units back on hand once, however often the receipt is repeated", async () => {
      const o = await order(2);
      await ship(o.packages[0]!.packageId);
      await stockIs(o.skuId, wh1, { onHand: 8, reserved: 0 });
      const returnId = afterSalesNumber();
      const params = {
        returnId,
        orderNo: o.orderNo,
        lines: [{ lineId: "L1", skuId: o.skuId, warehouseId: wh1, quantity: 2 }],
      };
      const first = await receive(params);
      expect(first.returnId).toBe(returnId);
      expect(Date.parse(first.receivedAt)).toBeGreaterThan(Date.now() - 10_000);
      await stockIs(o.skuId, wh1, { onHand: 10, reserved: 0 });

      const repeats = await Promise.all([receive(params), receive(params), receive(params)]);
      expect(repeats).toEqual([first, first, first]);
      // Other lines under the same id: the first receipt stands and nothing more goes on hand.
      expect(await receive({ ...params, lines: [{ ...params.lines[0], quantity: 1 }] })).toEqual(first);
      await sys.call("inventory.drainLedger", {});
      expect(await stockOf(sys, o.skuId, wh1)).toEqual({ onHand: 10, reserved: 0 });
      const { rows } = await sys.pool.query("SELECT * FROM return_receipts WHERE return_id = $1", [returnId]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        order_no: o.orderNo,
        lines: params.lines,
        restocked: [{ skuId: o.skuId, warehouseId: wh1, quantity: 2 }],
      });
      expect(rows[0].received_at.toISOString()).toBe(first.receivedAt);
    });

    it("restocks into the warehouse the caller names, summing lines of one SKU", async () => {
      const o = await order(1);
      await sys.call(
        "inventory.setStock",
        { skuId: o.skuId, warehouseId: wh2, onHand: 5 },
        {
          meta: { user: { userId: "admin-1", role: "admin" } },
        },
      );
      await receive({
        returnId: afterSalesNumber(),
        orderNo: o.orderNo,
        lines: [
          { lineId: "L1", skuId: o.skuId, warehouseId: wh2, quantity: 1 },
          { lineId: "L2", skuId: o.skuId, warehouseId: wh2, quantity: 2 },
        ],
      });
      await stockIs(o.skuId, wh2, { onHand: 8, reserved: 0 });
      expect(await stockOf(sys, o.skuId, wh1)).toEqual({ onHand: 10, reserved: 1 });
    });

    it("records nothing when the inventory refuses, so a corrected retry goes through", async () => {
      const o = await order(1);
      const returnId = afterSalesNumber();
      const line = { lineId: "L1", skuId: o.skuId, quantity: 1 };
      const refused = await failure(
        receive({ returnId, orderNo: o.orderNo, lines: [{ ...line, warehouseId: "no-such-warehouse" }] }),
      );
      expect(refused).toMatchObject({ type: "WAREHOUSE_NOT_FOUND", code: 422 });
      expect(await rowCount("SELECT 1 FROM return_receipts WHERE return_id = $1", [returnId])).toBe(0);
      await receive({ returnId, orderNo: o.orderNo, lines: [{ ...line, warehouseId: wh1 }] });
      await stockIs(o.skuId, wh1, { onHand: 11, reserved: 1 });
    });

    it("refuses empty lines, non-positive quantities and a returnId used for another order", async () => {
      const o = await order(1);
      const line = { lineId: "L1", skuId: o.skuId, warehouseId: wh1, quantity: 1 };
      const returnId = afterSalesNumber();
      expect((await failure(receive({ returnId, orderNo: o.orderNo, lines: [] }))).type).toBe(
        "VALIDATION_ERROR",
      );
      for (const quantity of [0, -1, 1.5])
        expect(
          (await failure(receive({ returnId, orderNo: o.orderNo, lines: [{ ...line, quantity }] }))).type,
        ).toBe("VALIDATION_ERROR");
      expect(await rowCount("SELECT 1 FROM return_receipts WHERE return_id = $1", [returnId])).toBe(0);
      await receive({ returnId, orderNo: o.orderNo, lines: [line] });
      expect(await failure(receive({ returnId, orderNo: orderNumber(), lines: [line] }))).toMatchObject({
        type: "VALIDATION_FAILED",
        data: { field: "returnId" },
      });
      await stockIs(o.skuId, wh1, { onHand: 11, reserved: 1 });
    });
  });

  describe("createReplacement", () => {
    it("makes the replacement packages once under repeats, with stock reserved and sold under the exchange", async () => {
      const o = await order(2);
      const params = exchangeOf(o, 1);
      const answers = await Promise.all([replace(params), replace(params), replace(params)]);
      const packageId = `${params.afterSalesNo}-1`;
      expect(answers).toEqual(
        [0, 1, 2].map(() => ({ afterSalesNo: params.afterSalesNo, packageIds: [packageId] })),
      );
      expect(await replace(params)).toEqual(answers[0]);

      const packages = await packagesNow(o.orderNo);
      expect(packages.map((p) => [p.packageId, p.status, p.afterSalesNo, p.lines])).toEqual([
        [o.packages[0]!.packageId, "PENDING", null, [{ lineId: "L1", skuId: o.skuId, quantity: 2 }]],
        [packageId, "PENDING", params.afterSalesNo, [{ lineId: "L1", skuId: o.skuId, quantity: 1 }]],
      ]);
      expect(packages[1]!.warehouseId).toBe(wh1);
      const { rows } = await sys.pool.query("SELECT position FROM packages WHERE package_id = $1", [
        packageId,
      ]);
      expect(rows[0].position).toBe(2);
      const created = await recorded(sys.pool, "package.created", o.orderNo);
      expect(created).toEqual([
        { orderNo: o.orderNo, packageIds: [o.packages[0]!.packageId] },
        { orderNo: o.orderNo, packageIds: [packageId] },
      ]);
      // The order's 2 units and the replacement's 1 are held; nothing has left yet.
      expect(await stockOf(sys, o.skuId, wh1)).toEqual({ onHand: 10, reserved: 3 });
      const sold = await sys.call("inventory.deduct", { reservationId: params.afterSalesNo });
      expect(sold).toMatchObject({
        status: "DEDUCTED",
        lines: [{ skuId: o.skuId, warehouseId: wh1, quantity: 1 }],
      });

      // Shipping the replacement takes its unit out under the exchange's reservation, not the order's.
      await ship(packageId);
      await stockIs(o.skuId, wh1, { onHand: 9, reserved: 2 });
      await sys.call("inventory.drainLedger", {});
      const inventory = sys.broker.getLocalService("inventory") as unknown as { pool: Pool };
      const moved = await inventory.pool.query(
        "SELECT reservation_id, quantity FROM movements WHERE movement_id = $1",
        [`${params.afterSalesNo}:${o.skuId}:SHIP:${packageId}`],
      );
      expect(moved.rows).toEqual([{ reservation_id: params.afterSalesNo, quantity: 1 }]);
      await ship(o.packages[0]!.packageId);
      await stockIs(o.skuId, wh1, { onHand: 7, reserved: 0 });
    });

    it("ships a replacement with afterSalesNo in package.shipped, leaving the order's allShipped alone", async () => {
      const o = await order(1);
      const first = exchangeOf(o);
      const [firstId] = (await replace(first)).packageIds as [string];
      const shipped = await ship(firstId);
      expect(shipped).toMatchObject({ status: "HANDED_OVER", afterSalesNo: first.afterSalesNo });
      // The order's own package is still open: the replacement shipping does not make the order shipped,
      // and another exchange's replacement still open does not keep it from being shipped.
      const second = exchangeOf(o);
      const [secondId] = (await replace(second)).packageIds as [string];
      const ownId = o.packages[0]!.packageId;
      await ship(ownId);
      await ship(secondId);
      const events = await recorded<PackageShippedPayload>(sys.pool, "package.shipped", o.orderNo);
      expect(events.map((e) => [e.packageId, e.afterSalesNo, e.allShipped])).toEqual([
        [firstId, first.afterSalesNo, false],
        [ownId, null, true],
        [secondId, second.afterSalesNo, true],
      ]);
      expect(events[0]).toMatchObject({
        orderNo: o.orderNo,
        shopId,
        buyerId: o.buyerId,
        method: "NO_LOGISTICS",
      });
      await stockIs(o.skuId, wh1, { onHand: 7, reserved: 0 });
    });

    it("prints the replacement's waybill to the receiver the exchange gave", async () => {
      const o = await order(1);
      const params = exchangeOf(o, 1);
      const [packageId] = (await replace(params)).packageIds as [string];
      const warehouse = sys.broker.getLocalService("warehouse") as unknown as WarehouseService;
      const calls = warehouse.deps.calls;
      const original = calls.createWaybill;
      const asked: CreateWaybillParams[] = [];
      calls.createWaybill = (p) => {
        asked.push(p);
        return original(p);
      };
      try {
        await sys.call(
          "warehouse.advanceTask",
          { packageId, step: "PRINT_WAYBILL", carrier: "SF" },
          merchant,
        );
      } finally {
        calls.createWaybill = original;
      }
      expect(asked).toEqual([
        { carrier: "SF", packageId, orderNo: o.orderNo, address: EXCHANGE_ADDRESS, weightGrams: 500 },
      ]);
    });

    it("passes OUT_OF_STOCK through and makes nothing", async () => {
      const o = await order(2, 2);
      const params = exchangeOf(o, 1);
      const before = await snapshot(sys.pool, o.orderNo);
      expect(await failure(replace(params))).toMatchObject({
        type: "OUT_OF_STOCK",
        data: { skuId: o.skuId },
      });
      expect(await snapshot(sys.pool, o.orderNo)).toEqual(before);
      expect(
        await rowCount("SELECT 1 FROM replacements WHERE after_sales_no = $1", [params.afterSalesNo]),
      ).toBe(0);
      expect(await stockOf(sys, o.skuId, wh1)).toEqual({ onHand: 2, reserved: 2 });
    });

    it("refuses a line the order does not have, another shop, and an order without packages", async () => {
      const o = await order(1);
      const params = exchangeOf(o);
      expect(
        await failure(replace({ ...params, lines: [{ ...params.lines[0], lineId: "L9" }] })),
      ).toMatchObject({
        type: "VALIDATION_FAILED",
        data: { field: "lines[0].lineId" },
      });
      expect(await failure(replace({ ...params, shopId: "another-shop" }))).toMatchObject({
        data: { field: "shopId" },
      });
      expect(await failure(replace({ ...params, orderNo: orderNumber() }))).toMatchObject({
        type: "NOT_FOUND",
      });
      expect((await failure(replace({ ...params, lines: [] }))).type).toBe("VALIDATION_ERROR");
      expect(await stockOf(sys, o.skuId, wh1)).toEqual({ onHand: 10, reserved: 1 });
    });
  });

  describe("interception and replacements", () => {
    const intercept = (orderNo: string, lines?: object[]) =>
      sys.call<InterceptResult>("warehouse.intercept", {
        orderNo,
        interceptId: uid("icp"),
        ...(lines ? { lines } : {}),
        reason: "BUYER_CANCELLED",
      });

    it("takes units only from the order's own packages, never from a replacement", async () => {
      const o = await order(3);
      const [replacementId] = (await replace(exchangeOf(o, 1))).packageIds as [string];
      const result = await intercept(o.orderNo);
      expect(result).toMatchObject({
        lines: [{ lineId: "L1", skuId: o.skuId, quantity: 3 }],
        packageIds: [o.packages[0]!.packageId],
      });
      const after = await packagesNow(o.orderNo);
      expect(after.map((p) => [p.packageId, p.status, p.lines.map((l) => l.quantity)])).toEqual([
        [o.packages[0]!.packageId, "INTERCEPTED", []],
        [replacementId, "PENDING", [1]],
      ]);
      // The order's 3 units go back; the replacement's unit stays held for the exchange.
      await stockIs(o.skuId, wh1, { onHand: 10, reserved: 1 });
    });

    it("refuses to take a shipped order's units from its open replacement", async () => {
      const o = await order(1);
      const [replacementId] = (await replace(exchangeOf(o, 1))).packageIds as [string];
      await ship(o.packages[0]!.packageId);
      const before = await snapshot(sys.pool, o.orderNo);
      expect(await failure(intercept(o.orderNo))).toMatchObject({ type: "PACKAGE_ALREADY_SHIPPED" });
      expect(await failure(intercept(o.orderNo, [{ lineId: "L1", quantity: 1 }]))).toMatchObject({
        type: "PACKAGE_ALREADY_SHIPPED",
      });
      expect(await snapshot(sys.pool, o.orderNo)).toEqual(before);
      expect((await packagesNow(o.orderNo)).find((p) => p.packageId === replacementId)?.status).toBe(
        "PENDING",
      );
    });
  });
});
