import type { OrderAddress } from "../../../shared/contracts/order.contract";
import type { Queryable } from "../../../shared/db/pool";

/**
 * Keeps the receiver if it is newer than the one stored for the order (by when the order service says
 * it changed); an older or equal one is ignored, so events may arrive in any order.
 */
export async function keepNewestAddress(
  q: Queryable,
  orderNo: string,
  address: OrderAddress,
  changedAt: Date,
  eventId: string,
): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO order_addresses (order_no, address, changed_at, event_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (order_no) DO UPDATE SET address = EXCLUDED.address, changed_at = EXCLUDED.changed_at,
       event_id = EXCLUDED.event_id
     WHERE order_addresses.changed_at < EXCLUDED.changed_at`,
    [orderNo, JSON.stringify(address), changedAt, eventId],
  );
  return (rowCount ?? 0) > 0;
}

/** The newest receiver known for the order, or null. */
export async function currentAddress(q: Queryable, orderNo: string): Promise<OrderAddress | null> {
  const { rows } = await q.query<{ address: OrderAddress }>(
    "SELECT address FROM order_addresses WHERE order_no = $1",
    [orderNo],
  );
  return rows[0]?.address ?? null;
}
