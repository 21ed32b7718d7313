import type { Queryable } from "../../../shared/db/pool";

/** Records a checkout in flight before it takes stock or coupons, so a sweeper can undo it if the process dies. */
export async function openSaga(
  q: Queryable,
  parentOrderNo: string,
  buyerId: string,
  childOrderNos: string[],
) {
  await q.query(
    "INSERT INTO place_order_sagas (parent_order_no, buyer_id, child_order_nos, status) VALUES ($1, $2, $3, 'RUNNING')",
    [parentOrderNo, buyerId, childOrderNos],
  );
}

/** Marks a saga finished (DONE in the order's own transaction, or COMPENSATED after its undo). */
export async function closeSaga(
  q: Queryable,
  parentOrderNo: string,
  status: "DONE" | "COMPENSATED",
  error?: string,
) {
  await q.query(
    "UPDATE place_order_sagas SET status = $2, error = $3, updated_at = now() WHERE parent_order_no = $1",
    [parentOrderNo, status, error ?? null],
  );
}

/** Sagas still RUNNING well after any request could still be working on them. */
export async function staleSagas(q: Queryable, olderThan: Date, limit = 50) {
  const { rows } = await q.query<{ parent_order_no: string; child_order_nos: string[] }>(
    `SELECT parent_order_no, child_order_nos FROM place_order_sagas
     WHERE status = 'RUNNING' AND created_at < $1 ORDER BY created_at LIMIT $2`,
    [olderThan, limit],
  );
  return rows.map((r) => ({ parentOrderNo: r.parent_order_no, childOrderNos: r.child_order_nos }));
}
