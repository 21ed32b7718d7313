import type { Queryable } from "../../../shared/db/pool";

/** A checkout in flight, recorded before it takes stock or coupons. */
export interface OpenSaga {
  parentOrderNo: string;
  buyerId: string;
  childOrderNos: string[];
}

/** Records checkouts in flight (RUNNING) in one statement, so a sweeper can undo one if its process dies. */
export async function openSagas(q: Queryable, sagas: OpenSaga[]): Promise<void> {
  await q.query(
    `INSERT INTO place_order_sagas (parent_order_no, buyer_id, child_order_nos, status)
     SELECT parent_order_no, buyer_id, child_order_nos, 'RUNNING'
     FROM jsonb_to_recordset($1::jsonb) AS s(parent_order_no text, buyer_id text, child_order_nos text[])`,
    [
      JSON.stringify(
        sagas.map((s) => ({
          parent_order_no: s.parentOrderNo,
          buyer_id: s.buyerId,
          child_order_nos: s.childOrderNos,
        })),
      ),
    ],
  );
}

/** Deletes a saga its request undid completely: nothing of the checkout is left to sweep. */
export async function deleteSaga(q: Queryable, parentOrderNo: string) {
  await q.query("DELETE FROM place_order_sagas WHERE parent_order_no = $1", [parentOrderNo]);
}

/** Marks a saga the sweeper undid COMPENSATED, with why (one that placed its order is deleted in the order's statement). */
export async function markCompensated(q: Queryable, parentOrderNo: string, error: string) {
  await q.query(
    "UPDATE place_order_sagas SET status = 'COMPENSATED', error = $2, updated_at = now() WHERE parent_order_no = $1",
    [parentOrderNo, error],
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
