import type { Carrier, ShippingMethod } from "../../../shared/contracts/logistics.contract";
import type { OrderAddress } from "../../../shared/contracts/order.contract";
import type { PackageStatus } from "../../../shared/contracts/warehouse.contract";
import type { Queryable } from "../../../shared/db/pool";
import type { Fulfilment, FulfilmentLine, Package, PackageLine } from "../domain/package";

interface PackageRow {
  package_id: string;
  order_no: string;
  position: number;
  after_sales_no: string | null;
  warehouse_id: string;
  status: PackageStatus;
  split_reason: string | null;
  method: ShippingMethod | null;
  carrier: Carrier | null;
  tracking_no: string | null;
  waybill_printed_at: Date | null;
  picked_at: Date | null;
  packed_at: Date | null;
  handed_over_at: Date | null;
  intercepted_at: Date | null;
  created_at: Date;
  lines: PackageLine[];
}

const PACKAGE_SELECT = `SELECT p.*, COALESCE((
    SELECT json_agg(json_build_object('lineId', l.line_id, 'skuId', l.sku_id, 'quantity', l.quantity,
      'plannedQuantity', l.planned_quantity) ORDER BY l.ordinal)
    FROM package_lines l WHERE l.package_id = p.package_id), '[]') AS lines
  FROM packages p`;

const toPackage = (r: PackageRow): Package => ({
  packageId: r.package_id,
  orderNo: r.order_no,
  position: r.position,
  afterSalesNo: r.after_sales_no,
  warehouseId: r.warehouse_id,
  status: r.status,
  splitReason: r.split_reason,
  method: r.method,
  carrier: r.carrier,
  trackingNo: r.tracking_no,
  lines: r.lines,
  task: {
    waybillPrintedAt: r.waybill_printed_at,
    pickedAt: r.picked_at,
    packedAt: r.packed_at,
    handedOverAt: r.handed_over_at,
    interceptedAt: r.intercepted_at,
  },
  createdAt: r.created_at,
});

interface FulfilmentRow {
  order_no: string;
  parent_order_no: string;
  shop_id: string;
  buyer_id: string;
  payment_no: string;
  paid_at: Date;
  address: OrderAddress;
}

const toFulfilment = (r: FulfilmentRow): Fulfilment => ({
  orderNo: r.order_no,
  parentOrderNo: r.parent_order_no,
  shopId: r.shop_id,
  buyerId: r.buyer_id,
  paymentNo: r.payment_no,
  paidAt: r.paid_at,
  address: r.address,
});

/** The fulfilment of an order, locked (`FOR UPDATE`) when asked: package changes of one order serialise on it. */
export async function findFulfilment(
  q: Queryable,
  orderNo: string,
  lock = false,
): Promise<Fulfilment | null> {
  const { rows } = await q.query<FulfilmentRow>(
    `SELECT * FROM fulfilments WHERE order_no = $1${lock ? " FOR UPDATE" : ""}`,
    [orderNo],
  );
  return rows[0] ? toFulfilment(rows[0]) : null;
}

/** The order's lines as bought. */
export async function fulfilmentLines(q: Queryable, orderNo: string): Promise<FulfilmentLine[]> {
  const { rows } = await q.query<FulfilmentLine>(
    `SELECT line_id AS "lineId", sku_id AS "skuId", warehouse_id AS "warehouseId", quantity,
       storage_class AS "storageClass", unit_weight_grams AS "unitWeightGrams",
       unit_volume_cm3 AS "unitVolumeCm3", unit_declared_value_minor AS "unitDeclaredValueMinor"
     FROM fulfilment_lines WHERE order_no = $1 ORDER BY ordinal`,
    [orderNo],
  );
  return rows;
}

/** One package with its order's owner, or null. */
export async function findPackage(q: Queryable, packageId: string): Promise<Package | null> {
  const { rows } = await q.query<PackageRow>(`${PACKAGE_SELECT} WHERE p.package_id = $1`, [packageId]);
  return rows[0] ? toPackage(rows[0]) : null;
}

/** Every package of an order, in position order. */
export async function packagesOfOrder(q: Queryable, orderNo: string): Promise<Package[]> {
  const { rows } = await q.query<PackageRow>(`${PACKAGE_SELECT} WHERE p.order_no = $1 ORDER BY p.position`, [
    orderNo,
  ]);
  return rows.map(toPackage);
}

/** Writes the packages' status, shipping fields, task times and line quantities. */
export async function updatePackages(tx: Queryable, packages: readonly Package[], now: Date): Promise<void> {
  if (packages.length === 0) return;
  const rows = packages.map((p) => ({
    packageId: p.packageId,
    status: p.status,
    method: p.method,
    carrier: p.carrier,
    trackingNo: p.trackingNo,
    ...p.task,
  }));
  await tx.query(
    `UPDATE packages p SET status = x.status, method = x.method, carrier = x.carrier,
       tracking_no = x."trackingNo", waybill_printed_at = x."waybillPrintedAt", picked_at = x."pickedAt",
       packed_at = x."packedAt", handed_over_at = x."handedOverAt", intercepted_at = x."interceptedAt",
       updated_at = $2
     FROM jsonb_to_recordset($1::jsonb) AS x("packageId" text, status text, method text, carrier text,
       "trackingNo" text, "waybillPrintedAt" timestamptz, "pickedAt" timestamptz, "packedAt" timestamptz,
       "handedOverAt" timestamptz, "interceptedAt" timestamptz)
     WHERE p.package_id = x."packageId"`,
    [JSON.stringify(rows), now],
  );
  const lines = packages.flatMap((p) =>
    p.lines.map((l) => ({ packageId: p.packageId, lineId: l.lineId, quantity: l.quantity })),
  );
  await tx.query(
    `UPDATE package_lines l SET quantity = x.quantity
     FROM jsonb_to_recordset($1::jsonb) AS x("packageId" text, "lineId" text, quantity int)
     WHERE l.package_id = x."packageId" AND l.line_id = x."lineId" AND l.quantity <> x.quantity`,
    [JSON.stringify(lines)],
  );
}
