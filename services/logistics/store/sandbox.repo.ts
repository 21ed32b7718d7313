import type { Carrier } from "../../../shared/contracts/logistics.contract";
import type { Queryable } from "../../../shared/db/pool";

/** The next running number of a sandbox waybill (every carrier draws from the one sequence). */
export async function nextWaybillSerial(q: Queryable): Promise<number> {
  const { rows } = await q.query("SELECT nextval('sandbox_waybill_serial') AS serial");
  return Number(rows[0].serial);
}

/** A cancel request at a sandbox carrier: the first cancels the waybill; answers how many it got so far. */
export async function recordSandboxCancel(
  q: Queryable,
  carrier: Carrier,
  trackingNo: string,
): Promise<{ requests: number }> {
  const { rows } = await q.query(
    `INSERT INTO sandbox_waybill_cancellations (carrier, tracking_no) VALUES ($1, $2)
     ON CONFLICT (carrier, tracking_no) DO UPDATE SET requests = sandbox_waybill_cancellations.requests + 1
     RETURNING requests`,
    [carrier, trackingNo],
  );
  return { requests: Number(rows[0].requests) };
}

/** When a sandbox carrier cancelled the waybill, or null while it is live. */
export async function sandboxCancelledAt(
  q: Queryable,
  carrier: Carrier,
  trackingNo: string,
): Promise<string | null> {
  const { rows } = await q.query(
    "SELECT cancelled_at FROM sandbox_waybill_cancellations WHERE carrier = $1 AND tracking_no = $2",
    [carrier, trackingNo],
  );
  return rows[0] ? (rows[0].cancelled_at as Date).toISOString() : null;
}
