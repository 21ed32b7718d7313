import type { Queryable } from "../../../shared/db/pool";

/** The next running number of a sandbox waybill (every carrier draws from the one sequence). */
export async function nextWaybillSerial(q: Queryable): Promise<number> {
  const { rows } = await q.query("SELECT nextval('sandbox_waybill_serial') AS serial");
  return Number(rows[0].serial);
}
