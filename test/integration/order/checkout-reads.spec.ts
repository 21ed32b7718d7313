import type { Pool } from "pg";
import { readCheckout, readChildStatuses } from "../../../services/order/store/order.repo";
import { insertOrder } from "../../support/order-rows";
import { openOrderSchema, testOrders } from "./stats-batch-fixture";

describe("checkout reads", () => {
  let pool: Pool;

  beforeAll(async () => {
    pool = await openOrderSchema("checkout_reads");
  });
  afterAll(() => pool.end());

  it("answers the reads asked for in one turn from one statement of each kind", async () => {
    const orders = testOrders("reads", 4);
    for (const o of orders) await insertOrder(pool, o);
    const statements: string[] = [];
    const logged = {
      query: (sql: string, params: unknown[]) => {
        statements.push(sql);
        return pool.query(sql, params);
      },
    } as unknown as Pool;
    const nos = orders.map((o) => `P${o.orderNo}`);
    const asked = [...nos, nos[0] as string, "P-none"];

    const [checkouts, statuses] = await Promise.all([
      Promise.all(asked.map((no) => readCheckout(logged, no))),
      Promise.all(asked.map((no) => readChildStatuses(logged, no))),
    ]);

    expect(statements).toHaveLength(2);
    orders.forEach((o, i) => {
      expect(checkouts[i]?.parent?.parentOrderNo).toBe(nos[i]);
      expect(checkouts[i]?.children.map((c) => [c.orderNo, c.lines.length])).toEqual([
        [o.orderNo, o.lines.length],
      ]);
      const status = checkouts[i]?.children[0]?.status;
      expect(statuses[i]).toEqual([{ buyerId: o.buyerId, shopId: o.shopId, status }]);
    });
    expect(checkouts[4]).toEqual(checkouts[0]);
    expect(checkouts[5]).toEqual({ parent: null, children: [] });
    expect(statuses[5]).toEqual([]);
  });

  it("sees what was committed before the read was asked for", async () => {
    const [o] = testOrders("later", 1);
    if (!o) throw new Error("no test order");
    await insertOrder(pool, { ...o, status: "PENDING_PAYMENT" });
    expect((await readChildStatuses(pool, `P${o.orderNo}`))[0]?.status).toBe("PENDING_PAYMENT");
    await pool.query("UPDATE orders SET status = 'CLOSED' WHERE order_no = $1", [o.orderNo]);
    expect((await readChildStatuses(pool, `P${o.orderNo}`))[0]?.status).toBe("CLOSED");
    expect((await readCheckout(pool, `P${o.orderNo}`)).children[0]?.status).toBe("CLOSED");
  });
});
