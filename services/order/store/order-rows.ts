import type { ChildOrder, OrderLine, ParentOrder } from "../domain/order";

/** A row of `orders` as pg returns it (bigints already numbers). */
export interface OrderRow {
  order_no: string;
  parent_order_no: string;
  order_type: "STANDARD";
  table_version: string;
  shop_id: string;
  buyer_id: string;
  status: ChildOrder["status"];
  after_sales_status: ChildOrder["afterSalesStatus"];
  source_channel: ChildOrder["sourceChannel"];
  address: ChildOrder["address"];
  goods_minor: number;
  item_discount_minor: number;
  member_discount_minor: number;
  shop_discount_minor: number;
  coupon_discount_minor: number;
  coins_deduction_minor: number;
  platform_discount_minor: number;
  price_adjustment_minor: number;
  shipping_fee_minor: number;
  payable_minor: number;
  paid_minor: number;
  refunded_minor: number;
  timers: ChildOrder["timers"];
  invoice: ChildOrder["invoice"];
  buyer_note: string | null;
  merchant_note: string | null;
  reviewed: boolean;
  payment_deadline: Date;
  created_at: Date;
  paid_at: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  confirmed_at: Date | null;
  completed_at: Date | null;
  auto_confirm_at: Date | null;
  finish_at: Date | null;
  ship_by: Date | null;
  ship_overdue_at: Date | null;
  review: ChildOrder["review"];
  closed_at: Date | null;
  close_reason: string | null;
  payment_no: string | null;
}

export interface LineRow {
  order_no: string;
  line_id: string;
  position: number;
  sku_id: string;
  title: string;
  spec: string;
  image_url: string | null;
  category: string;
  quantity: number;
  unit_price_minor: number;
  list_price_minor: number;
  goods_minor: number;
  allocations: OrderLine["allocations"];
  paid_minor: number;
  unit_paid_minor: number[];
  warehouse_id: string;
  deduction_strategy: OrderLine["deductionStrategy"];
  campaign_id: string | null;
  refunded_minor: number;
  refunded_quantity: number;
}

/** A row of `parent_orders`; its timestamps are strings when it comes as JSON (`to_jsonb(p)`). */
export interface ParentRow {
  parent_order_no: string;
  buyer_id: string;
  order_type: ParentOrder["orderType"];
  source_channel: ParentOrder["sourceChannel"];
  totals: ParentOrder["totals"];
  coupon_ids: string[];
  coins_used: number;
  member_tier: string | null;
  price_steps: ParentOrder["priceSteps"];
  payment_deadline: Date | string;
  created_at: Date | string;
}

/** Maps a parent row to the domain parent order. */
export function toParentOrder(r: ParentRow): ParentOrder {
  return {
    parentOrderNo: r.parent_order_no,
    buyerId: r.buyer_id,
    orderType: r.order_type,
    sourceChannel: r.source_channel,
    totals: r.totals,
    couponIds: r.coupon_ids,
    coinsUsed: r.coins_used,
    memberTier: r.member_tier,
    priceSteps: r.price_steps,
    paymentDeadline: new Date(r.payment_deadline),
    createdAt: new Date(r.created_at),
  };
}

/** Maps a line row to the domain line. */
export function toLine(r: LineRow): OrderLine {
  return {
    lineId: r.line_id,
    position: r.position,
    skuId: r.sku_id,
    title: r.title,
    spec: r.spec,
    imageUrl: r.image_url,
    category: r.category,
    quantity: r.quantity,
    unitPriceMinor: r.unit_price_minor,
    listPriceMinor: r.list_price_minor,
    goodsMinor: r.goods_minor,
    allocations: r.allocations,
    paidMinor: r.paid_minor,
    unitPaidMinor: r.unit_paid_minor,
    warehouseId: r.warehouse_id,
    deductionStrategy: r.deduction_strategy,
    campaignId: r.campaign_id,
    refundedMinor: r.refunded_minor,
    refundedQuantity: r.refunded_quantity,
  };
}

/** Maps an order row and its lines to the domain child order. */
export function toChildOrder(r: OrderRow, lines: OrderLine[]): ChildOrder {
  return {
    orderNo: r.order_no,
    parentOrderNo: r.parent_order_no,
    orderType: r.order_type,
    tableVersion: r.table_version,
    shopId: r.shop_id,
    buyerId: r.buyer_id,
    status: r.status,
    afterSalesStatus: r.after_sales_status,
    sourceChannel: r.source_channel,
    address: r.address,
    amounts: {
      goodsMinor: r.goods_minor,
      itemDiscountMinor: r.item_discount_minor,
      memberDiscountMinor: r.member_discount_minor,
      shopDiscountMinor: r.shop_discount_minor,
      couponDiscountMinor: r.coupon_discount_minor,
      coinsDeductionMinor: r.coins_deduction_minor,
      platformDiscountMinor: r.platform_discount_minor,
      priceAdjustmentMinor: r.price_adjustment_minor,
      shippingFeeMinor: r.shipping_fee_minor,
      payableMinor: r.payable_minor,
      paidMinor: r.paid_minor,
      refundedMinor: r.refunded_minor,
    },
    timers: r.timers,
    invoice: r.invoice,
    buyerNote: r.buyer_note,
    merchantNote: r.merchant_note,
    reviewed: r.reviewed,
    paymentDeadline: r.payment_deadline,
    createdAt: r.created_at,
    paidAt: r.paid_at,
    shippedAt: r.shipped_at,
    deliveredAt: r.delivered_at,
    confirmedAt: r.confirmed_at,
    autoConfirmAt: r.auto_confirm_at,
    finishAt: r.finish_at,
    shipBy: r.ship_by,
    shipOverdueAt: r.ship_overdue_at,
    review: r.review,
    completedAt: r.completed_at,
    closedAt: r.closed_at,
    closeReason: r.close_reason,
    paymentNo: r.payment_no,
    lines,
  };
}
