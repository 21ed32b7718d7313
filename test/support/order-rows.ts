import type { Pool } from "pg";
import { address } from "./catalog";

/** One line of a test order. */
export interface TestLine {
  skuId: string;
  title: string;
  quantity: number;
  amountMinor: number;
}

/** A child order as the statistics read it, written straight into the order service's tables. */
export interface TestOrder {
  orderNo: string;
  shopId: string;
  buyerId: string;
  province: string;
  channel: string;
  createdAt: string;
  paidAt: string | null;
  /** Default: AWAITING_SHIPMENT when paid, else PENDING_PAYMENT. */
  status?: string;
  completedAt?: string | null;
  amountMinor: number;
  lines: TestLine[];
}

/** Writes a child order, its parent and its lines with the columns the statistics read. */
export async function insertOrder(pool: Pool, o: TestOrder): Promise<void> {
  const parentNo = `P${o.orderNo}`;
  await pool.query(
    `INSERT INTO parent_orders (parent_order_no, buyer_id, order_type, source_channel, totals, price_steps,
       payment_deadline, created_at)
     VALUES ($1, $2, 'STANDARD', $3, '{}', '[]', $4, $4)`,
    [parentNo, o.buyerId, o.channel, o.createdAt],
  );
  await pool.query(
    `INSERT INTO orders (order_no, parent_order_no, order_type, table_version, shop_id, buyer_id, status,
       source_channel, address, province, goods_minor, item_discount_minor, member_discount_minor,
       shop_discount_minor, coupon_discount_minor, coins_deduction_minor, shipping_fee_minor, payable_minor,
       paid_minor, timers, payment_deadline, created_at, paid_at, completed_at)
     VALUES ($1, $2, 'STANDARD', 'STANDARD@2', $3, $4, $5, $6, $7, $8, $9, 0, 0, 0, 0, 0, 0, $9, $10, '{}', $11,
       $11, $12, $13)`,
    [
      o.orderNo,
      parentNo,
      o.shopId,
      o.buyerId,
      o.status ?? (o.paidAt ? "AWAITING_SHIPMENT" : "PENDING_PAYMENT"),
      o.channel,
      JSON.stringify(address(o.province)),
      o.province,
      o.amountMinor,
      o.paidAt ? o.amountMinor : 0,
      o.createdAt,
      o.paidAt,
      o.completedAt ?? null,
    ],
  );
  for (const [i, l] of o.lines.entries())
    await pool.query(
      `INSERT INTO order_lines (order_no, line_id, position, sku_id, title, spec, category, quantity,
         unit_price_minor, list_price_minor, goods_minor, allocations, paid_minor, unit_paid_minor, warehouse_id,
         deduction_strategy)
       VALUES ($1, $2, $3, $4, $5, 'standard', 'general', $6, 0, 0, $7, '[]', $7, '{}', 'wh', 'RESERVE_ON_ORDER')`,
      [o.orderNo, `L${i + 1}`, i + 1, l.skuId, l.title, l.quantity, l.amountMinor],
    );
}
