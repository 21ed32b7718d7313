import type { Pool, PoolClient } from "pg";
import { FULFILMENT_GROUP } from "../../../services/warehouse/commands/create-packages";
import type { WarehouseDeps } from "../../../services/warehouse/commands/warehouse-deps";
import type { WarehouseService } from "../../../services/warehouse/warehouse.service";

const sqlOf = (text: unknown) =>
  (typeof text === "string" ? text : (text as { text: string }).text).replace(/\s+/g, " ").trim();

/** The pool, counting every statement sent through it: its own `query` and those of the clients it lends. */
export function countingPool(pool: Pool, statements: string[]): Pool {
  const counted = <T extends { query: unknown }>(target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        if (prop === "query")
          return (text: unknown, ...rest: unknown[]) => {
            statements.push(sqlOf(text));
            return (value as (...args: unknown[]) => unknown).call(t, text, ...rest);
          };
        if (prop === "connect" && t === (pool as unknown))
          return async () => counted<PoolClient>(await pool.connect());
        return typeof value === "function" ? value.bind(t) : value;
      },
    });
  return counted(pool);
}

/** The warehouse's deps with a counting pool, a fixed clock, and a count of relay wake-ups. */
export function observedDeps(svc: WarehouseService, now: Date) {
  const statements: string[] = [];
  const seen = { statements, kicks: 0, deps: undefined as unknown as WarehouseDeps };
  seen.deps = {
    ...svc.deps,
    pool: countingPool(svc.pool, statements),
    now: () => now,
    committed: () => {
      seen.kicks += 1;
      svc.deps.committed();
    },
  };
  return seen;
}

/** The indexes of the events that are in the `order.paid` consumer's inbox. */
export async function inboxOf(pool: Pool, eventIds: readonly string[]): Promise<number[]> {
  const { rows } = await pool.query("SELECT event_id FROM inbox WHERE consumer = $1 AND event_id = ANY($2)", [
    FULFILMENT_GROUP,
    eventIds,
  ]);
  const found = new Set(rows.map((r) => r.event_id as string));
  return eventIds.flatMap((id, i) => (found.has(id) ? [i] : []));
}

/**
 * Everything the warehouse stores for an order and its `order.paid` events, with the order's own
 * numbers, the buyer and the event ids replaced by placeholders, so two orders of the same shape compare
 * equal when they were written alike. The fulfilment's `created_at` (the database's clock) is left out.
 */
export async function storedFor(
  pool: Pool,
  order: { orderNo: string; buyerId: string },
  eventIds: readonly string[],
) {
  const one = async (sql: string, params: unknown[] = [order.orderNo]) =>
    (await pool.query(sql, params)).rows;
  const stored = {
    fulfilment: await one(
      `SELECT order_no, parent_order_no, shop_id, buyer_id, payment_no, paid_at, address
       FROM fulfilments WHERE order_no = $1`,
    ),
    lines: await one("SELECT * FROM fulfilment_lines WHERE order_no = $1 ORDER BY ordinal"),
    packages: await one("SELECT * FROM packages WHERE order_no = $1 ORDER BY position"),
    packageLines: await one(
      `SELECT l.* FROM package_lines l JOIN packages p USING (package_id)
       WHERE p.order_no = $1 ORDER BY l.package_id, l.ordinal`,
    ),
    address: await one("SELECT address, changed_at, event_id FROM order_addresses WHERE order_no = $1"),
    events: await one(
      "SELECT channel, payload, occurred_at FROM outbox WHERE payload->>'orderNo' = $1 ORDER BY seq",
    ),
    /** Which of the events (by their index) are in the consumer's inbox. */
    inbox: await inboxOf(pool, eventIds),
  };
  let text = JSON.stringify(stored);
  eventIds.forEach((id, i) => {
    text = text.replaceAll(id, `<event ${i}>`);
  });
  const parentOrderNo = `${order.orderNo.slice(0, -1)}0`;
  text = text.replaceAll(parentOrderNo, "<parent>").replaceAll(order.orderNo, "<order>");
  return JSON.parse(text.replaceAll(order.buyerId, "<buyer>")) as typeof stored;
}
