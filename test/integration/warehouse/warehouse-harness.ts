import { randomBytes, randomInt } from "node:crypto";
import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import type { WarehouseService } from "../../../services/warehouse/warehouse.service";
import { publishToChannel } from "../../../shared/channels";
import type { Caller } from "../../../shared/contracts/caller";
import type { DeductResult } from "../../../shared/contracts/inventory.contract";
import type { OrderAddress, OrderPaidPayload } from "../../../shared/contracts/order.contract";
import type { PackagesOfResult, PackageView } from "../../../shared/contracts/warehouse.contract";
import { type EventEnvelope, newEvent } from "../../../shared/outbox/outbox";
import { startSystem, type TestSystem, waitFor } from "../../support/system";

/** Calls as the platform operator, a shop's merchant, or a buyer (what the gateway puts in ctx.meta). */
export const asAdmin = { meta: { user: { userId: "admin-1", role: "admin" } satisfies Caller } };
export const asMerchant = (shopId: string) => ({
  meta: { user: { userId: `merchant-of-${shopId}`, role: "merchant", shopId } satisfies Caller },
});
export const asBuyer = (userId: string) => ({ meta: { user: { userId, role: "buyer" } satisfies Caller } });

/** A unique id for this test's shops, SKUs and warehouses (the run's schemas are shared by every file). */
export const uid = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/** A fresh child order number (16-20 digits). */
export const orderNumber = () => `20261126${String(randomInt(1e9)).padStart(9, "0")}${randomInt(10)}`;

export const ADDRESS: OrderAddress = {
  name: "Li Lei",
  phone: "13800000000",
  province: "Zhejiang",
  city: "Hangzhou",
  district: "Xihu",
  detail: "1 Wensan Road",
};

/** The inventory, logistics and warehouse services on a real broker, with the warehouse's pool for assertions. */
export interface WarehouseSystem {
  broker: ServiceBroker;
  pool: Pool;
  call<T = any>(action: string, params: object, opts?: object): Promise<T>;
}

/** Starts the system before the enclosing `describe` and stops it after. */
export function useWarehouseSystem(): WarehouseSystem {
  let system: TestSystem;
  const sys = {
    call: (action: string, params: object, opts?: object) => sys.broker.call(action, params, opts),
  } as WarehouseSystem;
  beforeAll(async () => {
    system = await startSystem(["inventory", "logistics", "warehouse"]);
    sys.broker = system.broker;
    sys.pool = (system.broker.getLocalService("warehouse") as unknown as WarehouseService).pool;
  });
  afterAll(() => system?.stop());
  return sys;
}

export interface SkuSpec {
  storageClass?: string;
  weightGrams?: number;
  volumeCm3?: number;
  declaredValueMinor?: number;
  /** On hand per warehouse. */
  stock: Record<string, number>;
}

/** Creates warehouses serving Zhejiang. */
export async function warehouses(sys: WarehouseSystem, ...ids: string[]): Promise<void> {
  for (const warehouseId of ids)
    await sys.call(
      "inventory.createWarehouse",
      { warehouseId, name: warehouseId, provinces: ["Zhejiang"] },
      asAdmin,
    );
}

/** Creates a SKU of the shop with stock. */
export async function sku(sys: WarehouseSystem, shopId: string, spec: SkuSpec): Promise<string> {
  const skuId = uid("sku");
  await sys.call(
    "inventory.createSku",
    {
      skuId,
      shopId,
      title: `Item ${skuId}`,
      spec: "standard",
      priceMinor: 1999,
      category: "general",
      storageClass: spec.storageClass ?? "AMBIENT",
      weightGrams: spec.weightGrams ?? 500,
      volumeCm3: spec.volumeCm3 ?? 1000,
      ...(spec.declaredValueMinor !== undefined ? { declaredValueMinor: spec.declaredValueMinor } : {}),
      deductionStrategy: "RESERVE_ON_ORDER",
    },
    asAdmin,
  );
  for (const [warehouseId, onHand] of Object.entries(spec.stock))
    await sys.call("inventory.setStock", { skuId, warehouseId, onHand }, asAdmin);
  return skuId;
}

/** A SKU's live figures in a warehouse. */
export async function stockOf(sys: WarehouseSystem, skuId: string, warehouseId: string) {
  const res = await sys.call<{ stock: { warehouseId: string; onHand: number; reserved: number }[] }>(
    "inventory.getSku",
    { skuId },
    asAdmin,
  );
  const row = res.stock.find((s) => s.warehouseId === warehouseId);
  return { onHand: row?.onHand, reserved: row?.reserved };
}

/**
 * Reserves and deducts the lines with the order number as reservation id (as the order service does
 * at payment) and answers the `order.paid` envelope, not yet published.
 */
export async function paidOrder(
  sys: WarehouseSystem,
  shopId: string,
  lines: { skuId: string; quantity: number }[],
  opts: { orderNo?: string; occurredAt?: Date } = {},
): Promise<EventEnvelope<OrderPaidPayload>> {
  const orderNo = opts.orderNo ?? orderNumber();
  const buyerId = uid("buyer");
  const reserveLines = lines.map((l, i) => ({ lineId: `L${i + 1}`, ...l, strategy: "RESERVE_ON_ORDER" }));
  await sys.call("inventory.reserve", {
    reservationId: orderNo,
    buyerId,
    province: "Zhejiang",
    lines: reserveLines,
  });
  const sold = await sys.call<DeductResult>("inventory.deduct", { reservationId: orderNo });
  const payload: OrderPaidPayload = {
    orderNo,
    parentOrderNo: `${orderNo.slice(0, -1)}0`,
    buyerId,
    shopId,
    paymentNo: `P${orderNo}`,
    paidMinor: 1999,
    paidAt: (opts.occurredAt ?? new Date()).toISOString(),
    address: ADDRESS,
    lines: sold.lines.map((l) => ({
      lineId: l.lineId,
      skuId: l.skuId,
      quantity: l.quantity,
      warehouseId: l.warehouseId,
    })),
  };
  return newEvent("order.paid", payload, opts.occurredAt);
}

/** Publishes an envelope to its channel as the outbox relay would (no broker-side de-duplication). */
export const publish = (sys: WarehouseSystem, envelope: EventEnvelope) =>
  publishToChannel(sys.broker, envelope.name, envelope, { deduplicate: false });

/** The order's packages, once the warehouse made them. */
export async function packagesOf(sys: WarehouseSystem, orderNo: string): Promise<PackageView[]> {
  let items: PackageView[] = [];
  await waitFor(`packages of ${orderNo}`, async () => {
    items = (await sys.call<PackagesOfResult>("warehouse.packagesOf", { orderNo })).items;
    return items.length > 0;
  });
  return items;
}

/** Publishes `order.paid` and waits for the packages. */
export async function fulfil(sys: WarehouseSystem, envelope: EventEnvelope<OrderPaidPayload>) {
  await publish(sys, envelope);
  return packagesOf(sys, envelope.payload.orderNo);
}

/** The events of a channel the warehouse recorded for an order (outbox payloads, oldest first). */
export async function recorded<T = any>(pool: Pool, channel: string, orderNo: string): Promise<T[]> {
  const { rows } = await pool.query(
    "SELECT payload FROM outbox WHERE channel = $1 AND payload->>'orderNo' = $2 ORDER BY seq",
    [channel, orderNo],
  );
  return rows.map((r) => r.payload as T);
}

/** The rows of an order's packages and lines as stored, for "nothing changed" checks. */
export async function snapshot(pool: Pool, orderNo: string) {
  const packages = await pool.query("SELECT * FROM packages WHERE order_no = $1 ORDER BY position", [
    orderNo,
  ]);
  const lines = await pool.query(
    `SELECT l.* FROM package_lines l JOIN packages p USING (package_id)
     WHERE p.order_no = $1 ORDER BY l.package_id, l.ordinal`,
    [orderNo],
  );
  const outbox = await pool.query("SELECT count(*)::int AS n FROM outbox WHERE payload->>'orderNo' = $1", [
    orderNo,
  ]);
  return { packages: packages.rows, lines: lines.rows, events: outbox.rows[0].n };
}

/** The error a promise rejects with: its type and details. */
export async function failure(p: Promise<unknown>): Promise<{ type: string; code: number; data: any }> {
  try {
    await p;
  } catch (err) {
    const e = err as { type: string; code: number; data: any };
    return { type: e.type, code: e.code, data: e.data };
  }
  throw new Error("expected a failure");
}
