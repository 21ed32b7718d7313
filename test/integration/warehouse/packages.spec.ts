import { parseIncompatibleClasses, splitIntoPackages } from "../../../services/warehouse/domain/split";
import type { WarehouseService } from "../../../services/warehouse/warehouse.service";
import { config } from "../../../shared/config/config";
import type { CreateWaybillParams } from "../../../shared/contracts/logistics.contract";
import type { PackagesCreatedPayload } from "../../../shared/contracts/warehouse.contract";
import { newEvent } from "../../../shared/outbox/outbox";
import { waitFor } from "../../support/system";
import {
  ADDRESS,
  asMerchant,
  fulfil,
  packagesOf,
  paidOrder,
  publish,
  recorded,
  sku,
  uid,
  useWarehouseSystem,
  warehouses,
} from "./warehouse-harness";

describe("warehouse: packages of a paid order", () => {
  const sys = useWarehouseSystem();
  const shopId = uid("shop");
  const [wh1, wh2] = [uid("wh1"), uid("wh2")];

  beforeAll(async () => {
    await warehouses(sys, wh1, wh2);
  });

  it("creates the packages once when order.paid is delivered again or re-sent", async () => {
    const item = await sku(sys, shopId, { stock: { [wh1]: 10 } });
    const paid = await paidOrder(sys, shopId, [{ skuId: item, quantity: 2 }]);
    await publish(sys, paid);
    await publish(sys, paid);
    // The same fact under a new event id (a re-sent outbox row) must not make a second set either.
    await publish(sys, newEvent("order.paid", paid.payload));
    const packages = await packagesOf(sys, paid.payload.orderNo);
    await waitFor("every delivery consumed", async () => {
      const { rows } = await sys.pool.query(
        "SELECT count(*)::int AS n FROM inbox WHERE consumer = 'warehouse-fulfilment' AND event_id = ANY($1)",
        [[paid.eventId]],
      );
      return rows[0].n === 1;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(packages).toHaveLength(1);
    expect(packages[0]).toMatchObject({
      packageId: `${paid.payload.orderNo}-1`,
      orderNo: paid.payload.orderNo,
      warehouseId: wh1,
      status: "PENDING",
      lines: [{ lineId: "L1", skuId: item, quantity: 2 }],
      method: null,
      splitReason: null,
      logisticsStatus: null,
    });
    const { rows } = await sys.pool.query("SELECT count(*)::int AS n FROM packages WHERE order_no = $1", [
      paid.payload.orderNo,
    ]);
    expect(rows[0].n).toBe(1);
    const created = await recorded<PackagesCreatedPayload>(sys.pool, "package.created", paid.payload.orderNo);
    expect(created).toEqual([{ orderNo: paid.payload.orderNo, packageIds: [`${paid.payload.orderNo}-1`] }]);
  });

  it("splits by warehouse, storage class and high value, as the split rules say", async () => {
    const food = await sku(sys, shopId, { storageClass: "FOOD", stock: { [wh1]: 10 } });
    const chemical = await sku(sys, shopId, { storageClass: "CHEMICAL", stock: { [wh1]: 10 } });
    const jewel = await sku(sys, shopId, { declaredValueMinor: 600_000, stock: { [wh1]: 10 } });
    const elsewhere = await sku(sys, shopId, { stock: { [wh2]: 10 } });
    const paid = await paidOrder(sys, shopId, [
      { skuId: food, quantity: 2 },
      { skuId: chemical, quantity: 1 },
      { skuId: jewel, quantity: 1 },
      { skuId: elsewhere, quantity: 3 },
    ]);
    const packages = await fulfil(sys, paid);

    const orderNo = paid.payload.orderNo;
    const lineOf = (skuId: string) => paid.payload.lines.find((l) => l.skuId === skuId)!.lineId;
    const holding = (skuId: string) => packages.filter((p) => p.lines.some((l) => l.skuId === skuId));
    expect(packages.map((p) => p.packageId)).toEqual(packages.map((_, i) => `${orderNo}-${i + 1}`));
    expect(holding(elsewhere)).toEqual([expect.objectContaining({ warehouseId: wh2 })]);
    expect(holding(elsewhere)[0]!.lines).toEqual([
      { lineId: lineOf(elsewhere), skuId: elsewhere, quantity: 3 },
    ]);
    for (const p of holding(food)) expect(p.lines.some((l) => l.skuId === chemical)).toBe(false);
    expect(holding(jewel)).toEqual([
      expect.objectContaining({
        splitReason: "HIGH_VALUE",
        lines: [{ lineId: lineOf(jewel), skuId: jewel, quantity: 1 }],
      }),
    ]);
    expect(holding(chemical)[0]!.splitReason).not.toBeNull();

    // Exactly what the split function makes of these lines with the configured rules.
    const expected = splitIntoPackages(
      paid.payload.lines.map((l) => ({
        ...l,
        storageClass: l.skuId === food ? "FOOD" : l.skuId === chemical ? "CHEMICAL" : "AMBIENT",
        unitWeightGrams: 500,
        unitVolumeCm3: 1000,
        unitDeclaredValueMinor: l.skuId === jewel ? 600_000 : 1999,
      })),
      {
        highValueMinor: config.warehouseHighValueMinor,
        maxPackageGrams: config.warehouseMaxPackageGrams,
        maxPackageCm3: config.warehouseMaxPackageCm3,
        incompatible: parseIncompatibleClasses(config.warehouseIncompatibleClasses),
      },
    );
    expect(
      packages.map((p) => ({ warehouseId: p.warehouseId, lines: p.lines, reason: p.splitReason })),
    ).toEqual(expected);
  });

  it("spreads a heavy line over packages within the weight limit", async () => {
    const heavy = await sku(sys, shopId, { weightGrams: 8_000, stock: { [wh1]: 10 } });
    const paid = await paidOrder(sys, shopId, [{ skuId: heavy, quantity: 5 }]);
    const packages = await fulfil(sys, paid);
    expect(packages.map((p) => p.lines[0]!.quantity).reduce((a, b) => a + b, 0)).toBe(5);
    expect(packages.every((p) => p.lines[0]!.quantity * 8_000 <= config.warehouseMaxPackageGrams)).toBe(true);
    expect(packages.every((p) => p.splitReason === "WEIGHT")).toBe(true);
  });

  it("keeps the newest receiver whichever event arrives first", async () => {
    const item = await sku(sys, shopId, { stock: { [wh1]: 10 } });
    const paidAt = new Date(Date.now() - 60_000);
    const paid = await paidOrder(sys, shopId, [{ skuId: item, quantity: 1 }], { occurredAt: paidAt });
    const orderNo = paid.payload.orderNo;
    const moved = { ...ADDRESS, detail: "99 Moved Street" };
    const later = new Date(paidAt.getTime() + 30_000);
    const changed = (address: typeof ADDRESS, at: Date) =>
      newEvent("order.address-changed", { orderNo, parentOrderNo: paid.payload.parentOrderNo, address }, at);
    const current = async () =>
      (await sys.pool.query("SELECT address FROM order_addresses WHERE order_no = $1", [orderNo])).rows[0]
        ?.address;

    // The change arrives before the payment it follows, then an older change arrives late.
    await publish(sys, changed(moved, later));
    await waitFor("the change", async () => (await current())?.detail === "99 Moved Street");
    await fulfil(sys, paid);
    const older = changed({ ...ADDRESS, detail: "older" }, new Date(paidAt.getTime() + 10_000));
    await publish(sys, older);
    await waitFor("the late change consumed", async () => {
      const { rows } = await sys.pool.query(
        "SELECT count(*)::int AS n FROM inbox WHERE consumer = 'warehouse-address' AND event_id = $1",
        [older.eventId],
      );
      return rows[0].n === 1;
    });
    expect((await current()).detail).toBe("99 Moved Street");

    await publish(sys, changed({ ...ADDRESS, detail: "newest" }, new Date(later.getTime() + 1_000)));
    await waitFor("the newest change", async () => (await current())?.detail === "newest");

    // The waybill goes to the newest receiver.
    const service = sys.broker.getLocalService("warehouse") as unknown as WarehouseService;
    const sent: CreateWaybillParams[] = [];
    const original = service.deps.calls.createWaybill;
    service.deps.calls.createWaybill = (params) => {
      sent.push(params);
      return original(params);
    };
    try {
      await sys.call(
        "warehouse.advanceTask",
        { packageId: `${orderNo}-1`, step: "PRINT_WAYBILL", carrier: "SF" },
        asMerchant(shopId),
      );
    } finally {
      service.deps.calls.createWaybill = original;
    }
    expect(sent).toEqual([expect.objectContaining({ packageId: `${orderNo}-1`, weightGrams: 500 })]);
    expect(sent[0]!.address).toMatchObject({ detail: "newest", province: "Zhejiang" });
  });
});
