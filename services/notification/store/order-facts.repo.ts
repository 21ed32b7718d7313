import type { Queryable } from "../../../shared/db/pool";
import { type OrderFacts, PAYMENT_REMINDER, type ReminderKind } from "../domain/reminders";

/** What one event tells about an order; absent fields leave what is known alone. */
export interface FactsPatch {
  buyerId?: string;
  shopId?: string;
  payableMinor?: number;
  paymentDeadline?: Date;
  paidAt?: Date;
  closedAt?: Date;
  autoConfirmAt?: Date;
  completedAt?: Date;
  /**
   * When the payment / auto-confirm reminder is due by this event's deadline (see `reminderAhead`),
   * for the sweeper to fire if the timer is lost. Noted even for an order that moved on: the
   * sweeper skips paid, closed and completed orders, and a fired reminder decides afresh.
   */
  paymentRemindAt?: Date | null;
  autoConfirmRemindAt?: Date | null;
}

interface FactsRow {
  order_no: string;
  buyer_id: string | null;
  shop_id: string | null;
  payable_minor: number | null;
  payment_deadline: Date | null;
  paid_at: Date | null;
  closed_at: Date | null;
  auto_confirm_at: Date | null;
  completed_at: Date | null;
  payment_reminded_at: Date | null;
  auto_confirm_reminded_at: Date | null;
}

/** Facts with a known buyer and shop, or null while only an `order.closed` (no shop) was seen. */
function toFacts(r: FactsRow | undefined): OrderFacts | null {
  if (!r?.buyer_id || !r.shop_id) return null;
  return {
    orderNo: r.order_no,
    buyerId: r.buyer_id,
    shopId: r.shop_id,
    payableMinor: r.payable_minor,
    paymentDeadline: r.payment_deadline,
    paidAt: r.paid_at,
    closedAt: r.closed_at,
    autoConfirmAt: r.auto_confirm_at,
    completedAt: r.completed_at,
    paymentRemindedAt: r.payment_reminded_at,
    autoConfirmRemindedAt: r.auto_confirm_reminded_at,
  };
}

/**
 * Merges an event's facts into the order's row, whatever order the channels delivered in:
 * the first value of a fact wins (a replayed event changes nothing), except auto-confirm,
 * which keeps the latest time; each reminder's due time follows its deadline. Returns the
 * merged facts (null while the shop is unknown).
 */
export async function recordFacts(q: Queryable, orderNo: string, f: FactsPatch): Promise<OrderFacts | null> {
  const { rows } = await q.query<FactsRow>(
    `INSERT INTO order_facts AS o (order_no, buyer_id, shop_id, payable_minor, payment_deadline, paid_at,
       closed_at, auto_confirm_at, completed_at, payment_remind_at, auto_confirm_remind_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (order_no) DO UPDATE SET
       buyer_id = COALESCE(o.buyer_id, EXCLUDED.buyer_id),
       shop_id = COALESCE(o.shop_id, EXCLUDED.shop_id),
       payable_minor = COALESCE(o.payable_minor, EXCLUDED.payable_minor),
       payment_deadline = COALESCE(o.payment_deadline, EXCLUDED.payment_deadline),
       paid_at = COALESCE(o.paid_at, EXCLUDED.paid_at),
       closed_at = COALESCE(o.closed_at, EXCLUDED.closed_at),
       auto_confirm_at = GREATEST(o.auto_confirm_at, EXCLUDED.auto_confirm_at),
       completed_at = COALESCE(o.completed_at, EXCLUDED.completed_at),
       payment_remind_at = COALESCE(o.payment_remind_at, EXCLUDED.payment_remind_at),
       auto_confirm_remind_at = GREATEST(o.auto_confirm_remind_at, EXCLUDED.auto_confirm_remind_at),
       updated_at = now()
     RETURNING *`,
    [
      orderNo,
      f.buyerId ?? null,
      f.shopId ?? null,
      f.payableMinor ?? null,
      f.paymentDeadline ?? null,
      f.paidAt ?? null,
      f.closedAt ?? null,
      f.autoConfirmAt ?? null,
      f.completedAt ?? null,
      f.paymentRemindAt ?? null,
      f.autoConfirmRemindAt ?? null,
    ],
  );
  return toFacts(rows[0]);
}

/** The order's facts (locked for the reminder that decides on them), or null when unknown. */
export async function readFacts(
  q: Queryable,
  orderNo: string,
  forUpdate = false,
): Promise<OrderFacts | null> {
  const { rows } = await q.query<FactsRow>(
    `SELECT * FROM order_facts WHERE order_no = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [orderNo],
  );
  return toFacts(rows[0]);
}

const remindedColumn = (kind: ReminderKind) =>
  kind === PAYMENT_REMINDER ? "payment_reminded_at" : "auto_confirm_reminded_at";

/** Notes that the reminder fired (sent, or found needless), so neither timer nor sweeper fires it again. */
export async function markReminded(
  q: Queryable,
  orderNo: string,
  kind: ReminderKind,
  now: Date,
): Promise<void> {
  await q.query(
    `UPDATE order_facts SET ${remindedColumn(kind)} = $2, updated_at = now() WHERE order_no = $1`,
    [orderNo, now],
  );
}

/** Reminders due by `now` that never fired (their timer was lost). */
export async function dueReminders(
  q: Queryable,
  now: Date,
  limit = 500,
): Promise<{ orderNo: string; kind: ReminderKind }[]> {
  const { rows } = await q.query<{ order_no: string; kind: ReminderKind }>(
    `(SELECT order_no, 'payment-reminder' AS kind FROM order_facts
       WHERE payment_remind_at <= $1 AND payment_reminded_at IS NULL AND paid_at IS NULL AND closed_at IS NULL
       LIMIT $2)
     UNION ALL
     (SELECT order_no, 'auto-confirm-reminder' AS kind FROM order_facts
       WHERE auto_confirm_remind_at <= $1 AND auto_confirm_reminded_at IS NULL AND completed_at IS NULL
       LIMIT $2)`,
    [now, limit],
  );
  return rows.map((r) => ({ orderNo: r.order_no, kind: r.kind }));
}
