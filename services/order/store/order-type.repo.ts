import type { Queryable } from "../../../shared/db/pool";
import { DEFAULT_ORDER_TIMERS, type OrderTimers } from "../domain/order-config";

/** The timers of an order type (defaults when never configured). */
export async function readOrderTimers(q: Queryable, orderType: string): Promise<OrderTimers> {
  const { rows } = await q.query(
    `SELECT payment_timeout_ms, auto_confirm_ms, after_sales_window_ms, after_sales_review_timeout_ms,
       buyer_return_timeout_ms, auto_receive_ms, ship_within_ms FROM order_type_config WHERE order_type = $1`,
    [orderType],
  );
  const r = rows[0];
  if (!r) return DEFAULT_ORDER_TIMERS;
  return {
    paymentTimeoutMs: r.payment_timeout_ms,
    autoConfirmMs: r.auto_confirm_ms,
    afterSalesWindowMs: r.after_sales_window_ms,
    afterSalesReviewTimeoutMs: r.after_sales_review_timeout_ms,
    buyerReturnTimeoutMs: r.buyer_return_timeout_ms,
    autoReceiveMs: r.auto_receive_ms,
    shipWithinMs: r.ship_within_ms,
  };
}

/** Stores an order type's timers; orders created afterwards use them. */
export async function writeOrderTimers(q: Queryable, orderType: string, t: OrderTimers): Promise<void> {
  await q.query(
    `INSERT INTO order_type_config (order_type, payment_timeout_ms, auto_confirm_ms, after_sales_window_ms,
       after_sales_review_timeout_ms, buyer_return_timeout_ms, auto_receive_ms, ship_within_ms, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
     ON CONFLICT (order_type) DO UPDATE SET payment_timeout_ms = $2, auto_confirm_ms = $3,
       after_sales_window_ms = $4, after_sales_review_timeout_ms = $5, buyer_return_timeout_ms = $6,
       auto_receive_ms = $7, ship_within_ms = $8, updated_at = now()`,
    [
      orderType,
      t.paymentTimeoutMs,
      t.autoConfirmMs,
      t.afterSalesWindowMs,
      t.afterSalesReviewTimeoutMs,
      t.buyerReturnTimeoutMs,
      t.autoReceiveMs,
      t.shipWithinMs,
    ],
  );
}
