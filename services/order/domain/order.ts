import type { DeductionStrategy, ReservedLine, SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { Allocation, OrderAmounts } from "../../../shared/contracts/money-shapes";
import type { PriceResult, PriceStep } from "../../../shared/contracts/promotion.contract";
import type { SourceChannel } from "../../../shared/order-number/order-number";
import type { TimelineEntry } from "../../../shared/state-machine/engine";
import type { OrderTimers } from "./order-config";
import { STANDARD_ORDER_TABLE, type StandardOrderState } from "./order-states";
import type { AfterSalesStatus } from "./order-view";

/** The receiver, with the address split into the parts regional shipping and exports need. */
export interface Address {
  name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  postcode?: string;
}

export interface Invoice {
  type: "PERSONAL" | "COMPANY";
  title: string;
  taxNumber?: string;
}

/** A child order's amounts: the priced amounts plus what was paid and refunded. */
export interface ChildAmounts extends OrderAmounts {
  platformDiscountMinor: number;
  priceAdjustmentMinor: number;
  paidMinor: number;
  refundedMinor: number;
}

export interface OrderLine {
  lineId: string;
  position: number;
  skuId: string;
  title: string;
  spec: string;
  imageUrl: string | null;
  category: string;
  quantity: number;
  unitPriceMinor: number;
  listPriceMinor: number;
  goodsMinor: number;
  allocations: Allocation[];
  paidMinor: number;
  unitPaidMinor: number[];
  warehouseId: string;
  deductionStrategy: DeductionStrategy;
  campaignId: string | null;
  refundedMinor: number;
  refundedQuantity: number;
}

/** A child order: one shop's part of a checkout, with its own status, shipping and after-sales. */
export interface ChildOrder {
  orderNo: string;
  parentOrderNo: string;
  orderType: "STANDARD";
  tableVersion: string;
  shopId: string;
  buyerId: string;
  status: StandardOrderState;
  afterSalesStatus: AfterSalesStatus;
  sourceChannel: SourceChannel;
  address: Address;
  amounts: ChildAmounts;
  timers: OrderTimers;
  invoice: Invoice | null;
  buyerNote: string | null;
  merchantNote: string | null;
  reviewed: boolean;
  paymentDeadline: Date;
  createdAt: Date;
  paidAt: Date | null;
  /** The first package handed over (address changes stop here). */
  shippedAt: Date | null;
  /** A package's tracking reached SIGNED. */
  deliveredAt: Date | null;
  /** Receipt confirmed by the buyer (null when the timer completed the order). */
  confirmedAt: Date | null;
  completedAt: Date | null;
  /** While SHIPPED: when the auto-confirm timer completes the order. */
  autoConfirmAt: Date | null;
  /** While COMPLETED: when the after-sales window closes (-> FINISHED). */
  finishAt: Date | null;
  /** Once paid: when everything must be handed over (DOMAIN.md 10). */
  shipBy: Date | null;
  /** When the ship-by deadline was found missed (the order is flagged overdue from then on). */
  shipOverdueAt: Date | null;
  review: OrderReview | null;
  closedAt: Date | null;
  closeReason: string | null;
  /** The payment that paid this order, once paid. */
  paymentNo: string | null;
  lines: OrderLine[];
}

/** The buyer's review of a completed order. */
export interface OrderReview {
  rating: number;
  comment: string | null;
  at: string;
}

/** The parent order: the payment unit of one checkout. */
export interface ParentOrder {
  parentOrderNo: string;
  buyerId: string;
  orderType: "STANDARD";
  sourceChannel: SourceChannel;
  totals: OrderAmounts;
  couponIds: string[];
  coinsUsed: number;
  memberTier: string | null;
  priceSteps: PriceStep[];
  paymentDeadline: Date;
  createdAt: Date;
}

/** Everything a checkout produced before it is persisted. */
export interface CheckoutFacts {
  parentOrderNo: string;
  orderNoByShop: Map<string, string>;
  buyerId: string;
  sourceChannel: SourceChannel;
  address: Address;
  invoice: Invoice | null;
  buyerNote: string | null;
  now: Date;
  timers: OrderTimers;
  paymentDeadline: Date;
  price: PriceResult;
  skus: Map<string, SkuInfo>;
  reservedLines: Map<string, ReservedLine>;
  positions: Map<string, number>;
}

/** Builds the parent and its child orders from the priced cart and the reservations (pure). */
export function buildOrders(facts: CheckoutFacts): { parent: ParentOrder; children: ChildOrder[] } {
  const parent: ParentOrder = {
    parentOrderNo: facts.parentOrderNo,
    buyerId: facts.buyerId,
    orderType: "STANDARD",
    sourceChannel: facts.sourceChannel,
    totals: facts.price.totals,
    couponIds: facts.price.couponIds,
    coinsUsed: facts.price.coinsUsed,
    memberTier: facts.price.memberTier,
    priceSteps: facts.price.steps,
    paymentDeadline: facts.paymentDeadline,
    createdAt: facts.now,
  };
  const children = facts.price.shops.map((shop): ChildOrder => {
    const orderNo = facts.orderNoByShop.get(shop.shopId);
    if (!orderNo) throw new Error(`no order number for shop ${shop.shopId}`);
    return {
      orderNo,
      parentOrderNo: facts.parentOrderNo,
      orderType: "STANDARD",
      tableVersion: STANDARD_ORDER_TABLE.version,
      shopId: shop.shopId,
      buyerId: facts.buyerId,
      status: "PENDING_PAYMENT",
      afterSalesStatus: "NONE",
      sourceChannel: facts.sourceChannel,
      address: facts.address,
      amounts: {
        ...shop.amounts,
        platformDiscountMinor: shop.amounts.platformDiscountMinor ?? 0,
        priceAdjustmentMinor: shop.amounts.priceAdjustmentMinor ?? 0,
        paidMinor: 0,
        refundedMinor: 0,
      },
      timers:
        shop.autoConfirmMs === null ? facts.timers : { ...facts.timers, autoConfirmMs: shop.autoConfirmMs },
      invoice: facts.invoice,
      buyerNote: facts.buyerNote,
      merchantNote: null,
      reviewed: false,
      paymentDeadline: facts.paymentDeadline,
      createdAt: facts.now,
      paidAt: null,
      shippedAt: null,
      deliveredAt: null,
      confirmedAt: null,
      autoConfirmAt: null,
      finishAt: null,
      shipBy: null,
      shipOverdueAt: null,
      review: null,
      completedAt: null,
      closedAt: null,
      closeReason: null,
      paymentNo: null,
      lines: shop.lines.map((priced): OrderLine => {
        const sku = facts.skus.get(priced.skuId);
        const reserved = facts.reservedLines.get(priced.lineId);
        if (!sku || !reserved) throw new Error(`line ${priced.lineId} has no SKU or reservation`);
        return {
          lineId: priced.lineId,
          position: facts.positions.get(priced.lineId) ?? 0,
          skuId: priced.skuId,
          title: sku.title,
          spec: sku.spec,
          imageUrl: sku.imageUrl,
          category: sku.category,
          quantity: priced.quantity,
          unitPriceMinor: priced.unitPriceMinor,
          listPriceMinor: sku.priceMinor,
          goodsMinor: priced.goodsMinor,
          allocations: priced.allocations,
          paidMinor: priced.paidMinor,
          unitPaidMinor: priced.unitPaidMinor,
          warehouseId: reserved.warehouseId,
          deductionStrategy: priced.deductionStrategy,
          campaignId: priced.campaignId,
          refundedMinor: 0,
          refundedQuantity: 0,
        };
      }),
    };
  });
  const broken = children.find((child) => !amountsAddUp(child));
  if (broken) throw new Error(`amounts of ${broken.orderNo} do not add up; refusing to persist`);
  return { parent, children };
}

/** The amounts invariant: payable = goods - every discount + shipping, and the lines pay exactly payable - shipping. */
export function amountsAddUp(order: Pick<ChildOrder, "amounts" | "lines">): boolean {
  const a = order.amounts;
  const discounts =
    a.itemDiscountMinor +
    a.memberDiscountMinor +
    a.shopDiscountMinor +
    a.couponDiscountMinor +
    a.coinsDeductionMinor +
    a.platformDiscountMinor +
    a.priceAdjustmentMinor;
  const linesPaid = order.lines.reduce((sum, l) => sum + l.paidMinor, 0);
  const linesGoods = order.lines.reduce((sum, l) => sum + l.goodsMinor, 0);
  const allocated = order.lines.reduce(
    (sum, l) => sum + l.allocations.reduce((s, x) => s + x.amountMinor, 0),
    0,
  );
  return (
    a.payableMinor === a.goodsMinor - discounts + a.shippingFeeMinor &&
    linesGoods === a.goodsMinor &&
    linesPaid === a.payableMinor - a.shippingFeeMinor &&
    allocated === discounts &&
    order.lines.every((l) => l.unitPaidMinor.reduce((s, u) => s + u, 0) === l.paidMinor && l.paidMinor >= 0)
  );
}

/** The first timeline entry of a child order: placed by the buyer. */
export function placedEntry(
  child: Pick<ChildOrder, "status">,
  cmd: { buyerId: string; now: Date; requestId: string | null },
): TimelineEntry {
  return {
    at: cmd.now.toISOString(),
    actor: cmd.buyerId,
    role: "buyer",
    event: "order.placed",
    from: null,
    to: child.status,
    reason: null,
    requestId: cmd.requestId,
    eventId: null,
  };
}
