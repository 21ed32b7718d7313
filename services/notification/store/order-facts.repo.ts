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

/** An event's facts about one order. */
export interface OrderPatch {
  orderNo: string;
  patch: FactsPatch;
}

const earliest = <T>(a: T, b: T): T => a ?? b;
const latest = (a: Date | null | undefined, b: Date | null | undefined) =>
  a && b ? (a > b ? a : b) : (a ?? b);

/**
 * One patch per order that records as the patches would one after another (see `recordFacts`):
 * the first value of a fact wins, auto-confirm keeps the latest. One statement cannot update a
 * row twice, so a batch's patches of one order are merged first.
 */
export function mergePatches(patches: OrderPatch[]): Map<string, FactsPatch> {
  const merged = new Map<string, FactsPatch>();
  for (const { orderNo, patch: b } of patches) {
    const a = merged.get(orderNo);
    merged.set(
      orderNo,
      a
        ? {
            buyerId: earliest(a.buyerId, b.buyerId),
            shopId: earliest(a.shopId, b.shopId),
            payableMinor: earliest(a.payableMinor, b.payableMinor),
            paymentDeadline: earliest(a.paymentDeadline, b.paymentDeadline),
            paidAt: earliest(a.paidAt, b.paidAt),
            closedAt: earliest(a.closedAt, b.closedAt),
            autoConfirmAt: latest(a.autoConfirmAt, b.autoConfirmAt) ?? undefined,
            completedAt: earliest(a.completedAt, b.completedAt),
            paymentRemindAt: earliest(a.paymentRemindAt, b.paymentRemindAt),
            autoConfirmRemindAt: latest(a.autoConfirmRemindAt, b.autoConfirmRemindAt),
          }
        : b,
    );
  }
  return merged;
}

/**
 * Merges events' facts into their orders' rows in one statement, whatever order the channels
 * delivered in: the first value of a fact wins (a replayed event changes nothing), except
 * auto-confirm, which keeps the latest time; each reminder's due time follows its deadline.
 * Rows are written in order number order, so concurrent batches lock them in the same order.
 * Returns each order's merged facts (null while its shop is unknown).
 */
export async function recordFacts(
  q: Queryable,
  patches: OrderPatch[],
): Promise<Map<string, OrderFacts | null>> {
  const { rows } = await q.query<FactsRow>(`${FACTS_UPSERT_SQL("$1")} RETURNING *`, [factsParam(patches)]);
  return new Map(rows.map((r) => [r.order_no, toFacts(r)]));
}

/** The patches merged per order (`mergePatches`), in order number order, as `FACTS_UPSERT_SQL` reads them. */
export function factsParam(patches: OrderPatch[]): string {
  const rows = [...mergePatches(patches)]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([orderNo, f]) => ({
      order_no: orderNo,
      buyer_id: f.buyerId ?? null,
      shop_id: f.shopId ?? null,
      payable_minor: f.payableMinor ?? null,
      payment_deadline: f.paymentDeadline ?? null,
      paid_at: f.paidAt ?? null,
      closed_at: f.closedAt ?? null,
      auto_confirm_at: f.autoConfirmAt ?? null,
      completed_at: f.completedAt ?? null,
      payment_remind_at: f.paymentRemindAt ?? null,
      auto_confirm_remind_at: f.autoConfirmRemindAt ?? null,
    }));
  return JSON.stringify(rows);
}

/** The upsert of `recordFacts`, reading `factsParam` from parameter `param` (without RETURNING). */
export const FACTS_UPSERT_SQL = (param: string) => `INSERT INTO order_facts AS o (order_no, buyer_id, shop_id,
       payable_minor, payment_deadline, paid_at, closed_at, auto_confirm_at, completed_at, payment_remind_at,
       auto_confirm_remind_at)
     SELECT * FROM jsonb_to_recordset(${param}::jsonb) AS f(order_no text, buyer_id text, shop_id text,
       payable_minor bigint, payment_deadline timestamptz, paid_at timestamptz, closed_at timestamptz,
       auto_confirm_at timestamptz, completed_at timestamptz, payment_remind_at timestamptz,
       auto_confirm_remind_at timestamptz)
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
       updated_at = now()`;

/** Facts rows as `to_jsonb` gives them (timestamps as text), read back as `recordFacts` answers them. */
export function factsOfJson(rows: Record<string, unknown>[]): Map<string, OrderFacts | null> {
  const date = (v: unknown) => (v == null ? null : new Date(v as string));
  return new Map(
    rows.map((r) => {
      const row: FactsRow = {
        order_no: r.order_no as string,
        buyer_id: (r.buyer_id as string | null) ?? null,
        shop_id: (r.shop_id as string | null) ?? null,
        payable_minor: (r.payable_minor as number | null) ?? null,
        payment_deadline: date(r.payment_deadline),
        paid_at: date(r.paid_at),
        closed_at: date(r.closed_at),
        auto_confirm_at: date(r.auto_confirm_at),
        completed_at: date(r.completed_at),
        payment_reminded_at: date(r.payment_reminded_at),
        auto_confirm_reminded_at: date(r.auto_confirm_reminded_at),
      };
      return [row.order_no, toFacts(row)];
    }),
  );
}

/** Several orders' facts in one query; an order not heard of is missing from the map. */
export async function readFactsOf(q: Queryable, orderNos: string[]): Promise<Map<string, OrderFacts | null>> {
  const { rows } = await q.query<FactsRow>("SELECT * FROM order_facts WHERE order_no = ANY($1::text[])", [
    orderNos,
  ]);
  return new Map(rows.map((r) => [r.order_no, toFacts(r)]));
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
