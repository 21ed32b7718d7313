import type { InterceptResult } from "../../../shared/contracts/warehouse.contract";
import type { Queryable } from "../../../shared/db/pool";

/** A stored interception: its answer and why it was made. */
export interface StoredIntercept {
  result: InterceptResult;
  reason: string;
}

export async function findIntercept(q: Queryable, interceptId: string): Promise<StoredIntercept | null> {
  const { rows } = await q.query<StoredIntercept>(
    "SELECT result, reason FROM intercepts WHERE intercept_id = $1",
    [interceptId],
  );
  return rows[0] ?? null;
}

export async function insertIntercept(
  q: Queryable,
  result: InterceptResult,
  reason: string,
  now: Date,
): Promise<void> {
  await q.query(
    "INSERT INTO intercepts (intercept_id, order_no, reason, result, created_at) VALUES ($1, $2, $3, $4, $5)",
    [result.interceptId, result.orderNo, reason, JSON.stringify(result), now],
  );
}
