import type { Carrier, ShippingMethod } from "../../../shared/contracts/logistics.contract";
import type { OrderAddress } from "../../../shared/contracts/order.contract";
import type { PackageStatus } from "../../../shared/contracts/warehouse.contract";

/** A paid child order as the warehouse keeps it: who it is for and where it goes (at payment). */
export interface Fulfilment {
  orderNo: string;
  parentOrderNo: string;
  shopId: string;
  buyerId: string;
  paymentNo: string;
  paidAt: Date;
  address: OrderAddress;
}

/** An order line as bought, with the SKU figures the split used. */
export interface FulfilmentLine {
  lineId: string;
  skuId: string;
  warehouseId: string;
  quantity: number;
  storageClass: string;
  unitWeightGrams: number;
  unitVolumeCm3: number;
  unitDeclaredValueMinor: number;
}

/** Units of one order line in a package; `quantity` falls when units are intercepted. */
export interface PackageLine {
  lineId: string;
  skuId: string;
  quantity: number;
  plannedQuantity: number;
}

/** When each warehouse task step happened (null: not done). */
export interface TaskTimes {
  waybillPrintedAt: Date | null;
  pickedAt: Date | null;
  packedAt: Date | null;
  handedOverAt: Date | null;
  interceptedAt: Date | null;
}

/** One package of a paid order and its warehouse task. */
export interface Package {
  /** `<orderNo>-<position>`; an exchange's replacement package is `<afterSalesNo>-<n>`. */
  packageId: string;
  orderNo: string;
  /** 1, 2, ... in the order the packages were made; replacement packages continue after the order's own. */
  position: number;
  /** Set when the package carries an exchange's replacement units (sold under that reservation). */
  afterSalesNo: string | null;
  warehouseId: string;
  status: PackageStatus;
  splitReason: string | null;
  method: ShippingMethod | null;
  carrier: Carrier | null;
  trackingNo: string | null;
  lines: PackageLine[];
  task: TaskTimes;
  createdAt: Date;
}

/**
 * The id of the n-th package of an order (or of an exchange, by its after-sales number): stable, so a
 * redelivered event or a retried call cannot make a second set.
 */
export const packageIdOf = (ownerNo: string, n: number) => `${ownerNo}-${n}`;

/** Units still in the package. */
export const unitsIn = (pkg: Pick<Package, "lines">) => pkg.lines.reduce((sum, l) => sum + l.quantity, 0);

/** An online waybill is already bound to the package (printed, or got at hand-over). */
export const hasWaybill = (pkg: Pick<Package, "method" | "trackingNo">) =>
  pkg.method === "ONLINE_WAYBILL" && pkg.trackingNo !== null;

/** A package of the order's own units, not an exchange's replacement. */
export const isOrderPackage = (pkg: Pick<Package, "afterSalesNo">) => pkg.afterSalesNo === null;

/**
 * Every package of the order's own that still holds units is handed over, and at least one is.
 * Replacement packages do not count: the order shipped when its own units did.
 */
export function allHandedOver(packages: readonly Package[]): boolean {
  const holding = packages.filter((p) => isOrderPackage(p) && unitsIn(p) > 0);
  return holding.length > 0 && holding.every((p) => p.status === "HANDED_OVER");
}

/** The package's weight for its waybill: its units times each line's unit weight. */
export function packageWeightGrams(
  pkg: Pick<Package, "lines">,
  lines: readonly Pick<FulfilmentLine, "lineId" | "unitWeightGrams">[],
): number {
  const unit = new Map(lines.map((l) => [l.lineId, l.unitWeightGrams]));
  return pkg.lines.reduce((sum, l) => sum + l.quantity * (unit.get(l.lineId) ?? 0), 0);
}

/** Units per SKU, in first-seen order (what a stock movement takes). */
export function unitsBySku(lines: readonly { skuId: string; quantity: number }[]) {
  const sums = new Map<string, number>();
  for (const l of lines) if (l.quantity > 0) sums.set(l.skuId, (sums.get(l.skuId) ?? 0) + l.quantity);
  return [...sums].map(([skuId, quantity]) => ({ skuId, quantity }));
}
