import type { ReceiveReturnParams } from "../../../shared/contracts/warehouse.contract";
import type { Queryable } from "../../../shared/db/pool";
import type { RestockUnits } from "../domain/return-receipt";

/** A return the warehouse received and put back on hand. */
export interface ReturnReceipt {
  returnId: string;
  orderNo: string;
  lines: ReceiveReturnParams["lines"];
  restocked: RestockUnits[];
  receivedAt: Date;
}

const SELECT = `SELECT return_id AS "returnId", order_no AS "orderNo", lines, restocked,
  received_at AS "receivedAt" FROM return_receipts WHERE return_id = $1`;

/** The receipt of a return, or null. */
export async function findReceipt(q: Queryable, returnId: string): Promise<ReturnReceipt | null> {
  const { rows } = await q.query<ReturnReceipt>(SELECT, [returnId]);
  return rows[0] ?? null;
}

/** Records the receipt unless the return has one, and answers the one stored (the first). */
export async function keepFirstReceipt(q: Queryable, receipt: ReturnReceipt): Promise<ReturnReceipt> {
  await q.query(
    `INSERT INTO return_receipts (return_id, order_no, lines, restocked, received_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (return_id) DO NOTHING`,
    [
      receipt.returnId,
      receipt.orderNo,
      JSON.stringify(receipt.lines),
      JSON.stringify(receipt.restocked),
      receipt.receivedAt,
    ],
  );
  return (await findReceipt(q, receipt.returnId)) as ReturnReceipt;
}
