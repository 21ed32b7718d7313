import type {
  LedgerPage,
  LedgerParams,
  LedgerPayment,
  LedgerRefund,
} from "../../../shared/contracts/payment.contract";
import type { Queryable } from "../../../shared/db/pool";

const PAYMENT_COLUMNS = `payment_no AS no, paid_at AS at, parent_order_no, status, paid_minor, refunded_minor,
  duplicate`;
const REFUND_COLUMNS = `r.refund_no AS no, r.completed_at AS at, r.payment_no, p.parent_order_no, r.order_no,
  r.cause, r.status, r.amount_minor, r.reason, p.paid_minor,
  CASE WHEN r.status = 'SUCCEEDED' THEN (
    SELECT sum(x.amount_minor) FROM refunds x WHERE x.payment_no = r.payment_no AND x.status = 'SUCCEEDED'
      AND (x.completed_at, x.refund_no) <= (r.completed_at, r.refund_no)
  ) END AS refunds_paid_minor`;

const SQL = {
  payments: {
    window: `SELECT ${PAYMENT_COLUMNS} FROM payments
      WHERE paid_at >= $1 AND paid_at < $2 AND (paid_at, payment_no) > ($3::timestamptz, $4::text)
      ORDER BY paid_at, payment_no LIMIT $5`,
    byNo: `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE payment_no = ANY($1::text[])`,
  },
  refunds: {
    window: `SELECT ${REFUND_COLUMNS} FROM refunds r JOIN payments p USING (payment_no)
      WHERE r.completed_at >= $1 AND r.completed_at < $2 AND (r.completed_at, r.refund_no) > ($3::timestamptz, $4::text)
      ORDER BY r.completed_at, r.refund_no LIMIT $5`,
    byNo: `SELECT ${REFUND_COLUMNS} FROM refunds r JOIN payments p USING (payment_no) WHERE r.refund_no = ANY($1::text[])`,
  },
};

// biome-ignore lint/suspicious/noExplicitAny: a pg row
const toPayment = (r: any): LedgerPayment => ({
  paymentNo: r.no,
  parentOrderNo: r.parent_order_no,
  status: r.status,
  paidMinor: Number(r.paid_minor),
  refundedMinor: Number(r.refunded_minor),
  duplicate: r.duplicate,
  paidAt: r.at?.toISOString() ?? null,
});

// biome-ignore lint/suspicious/noExplicitAny: a pg row
const toRefund = (r: any): LedgerRefund => ({
  refundNo: r.no,
  paymentNo: r.payment_no,
  parentOrderNo: r.parent_order_no,
  orderNo: r.order_no,
  cause: r.cause,
  status: r.status,
  amountMinor: Number(r.amount_minor),
  reason: r.reason,
  completedAt: r.at?.toISOString() ?? null,
  paymentPaidMinor: Number(r.paid_minor),
  refundsPaidMinor: r.refunds_paid_minor === null ? null : Number(r.refunds_paid_minor),
});

/**
 * A page of the payments paid (or refunds completed) in [from, to) after the cursor, in (time, number)
 * order; or, with `nos`, those by number. Whatever its status now: the reconciliation judges it.
 */
export async function ledgerPage(
  q: Queryable,
  params: LedgerParams,
): Promise<LedgerPage<LedgerPayment> | LedgerPage<LedgerRefund>> {
  const sql = SQL[params.kind];
  // biome-ignore lint/suspicious/noExplicitAny: a pg row
  const present: (r: any) => LedgerPayment | LedgerRefund = params.kind === "payments" ? toPayment : toRefund;
  if (params.nos) {
    const { rows } = await q.query(sql.byNo, [params.nos]);
    return { items: rows.map(present), next: null } as LedgerPage<LedgerPayment> | LedgerPage<LedgerRefund>;
  }
  const limit = params.limit ?? 1_000;
  const after = params.after ?? { at: "-infinity", no: "" };
  const { rows } = await q.query(sql.window, [params.from, params.to, after.at, after.no, limit]);
  const last = rows.at(-1);
  return {
    items: rows.map(present),
    next: rows.length === limit && last ? { at: last.at.toISOString(), no: last.no } : null,
  } as LedgerPage<LedgerPayment> | LedgerPage<LedgerRefund>;
}
