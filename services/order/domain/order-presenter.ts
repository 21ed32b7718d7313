import type { Role } from "../../../shared/contracts/caller";
import type { ChildOrder, OrderLine } from "./order";
import { allowedActions, viewStatus } from "./order-view";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A line in the API's shape (API.md "Line"). */
export function presentLine(l: OrderLine) {
  return {
    lineId: l.lineId,
    skuId: l.skuId,
    title: l.title,
    spec: l.spec,
    imageUrl: l.imageUrl,
    quantity: l.quantity,
    unitPriceMinor: l.unitPriceMinor,
    listPriceMinor: l.listPriceMinor,
    goodsMinor: l.goodsMinor,
    allocations: l.allocations,
    paidMinor: l.paidMinor,
    unitPaidMinor: l.unitPaidMinor,
    warehouseId: l.warehouseId,
    deductionStrategy: l.deductionStrategy,
    campaignId: l.campaignId,
    refundedMinor: l.refundedMinor,
    refundedQuantity: l.refundedQuantity,
  };
}

/** A child order as the caller's role sees it (API.md "Order (child)"), with its labels and allowed actions. */
export function presentOrder(o: ChildOrder, role: Role) {
  const facts = { status: o.status, afterSalesStatus: o.afterSalesStatus, reviewed: o.reviewed };
  const view = viewStatus(facts, role);
  return {
    orderNo: o.orderNo,
    parentOrderNo: o.parentOrderNo,
    orderType: o.orderType,
    shopId: o.shopId,
    buyerId: o.buyerId,
    status: o.status,
    viewStatus: view.tab,
    viewLabel: view.label,
    afterSalesStatus: o.afterSalesStatus,
    sourceChannel: o.sourceChannel,
    address: o.address,
    lines: o.lines.map(presentLine),
    amounts: o.amounts,
    currency: "CNY",
    invoice: o.invoice,
    buyerNote: o.buyerNote,
    ...(role === "buyer" ? {} : { merchantNote: o.merchantNote }),
    reviewed: o.reviewed,
    paymentDeadline: iso(o.paymentDeadline),
    createdAt: iso(o.createdAt),
    paidAt: iso(o.paidAt),
    shippedAt: iso(o.shippedAt),
    deliveredAt: iso(o.deliveredAt),
    confirmedAt: iso(o.confirmedAt),
    completedAt: iso(o.completedAt),
    autoConfirmAt: iso(o.autoConfirmAt),
    afterSalesWindowEndsAt: iso(o.finishAt),
    shipBy: iso(o.shipBy),
    shipOverdueAt: iso(o.shipOverdueAt),
    review: o.review,
    closedAt: iso(o.closedAt),
    closeReason: o.closeReason,
    actions: allowedActions(facts, role),
  };
}
