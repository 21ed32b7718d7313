import { randomUUID } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import { batchedConsumers, onOrderPlaced } from "../../../services/notification/commands/consume-events";
import type { NotificationDeps } from "../../../services/notification/commands/notification-deps";
import type { NotificationService } from "../../../services/notification/notification.service";
import { type FactsPatch, recordFacts } from "../../../services/notification/store/order-facts.repo";
import { loadConfig } from "../../../shared/config/config";
import type { OrderPaidPayload, OrderPlacedPayload } from "../../../shared/contracts/order.contract";
import { createPool, withTransaction } from "../../../shared/db/pool";
import { type EventEnvelope, newEvent } from "../../../shared/outbox/outbox";
import { startSystem, type TestSystem } from "../../support/system";
import { recordingTimers } from "./recording-timers";

/** Buyer (by index) of each order of a scenario. */
const ORDER_BUYERS = [0, 0, 1, 2];
/**
 * The scenario's order.placed events: [order, deadline, payable]. The deadline is in lead times from
 * now: under one lead time arms no reminder. Order 0 is told twice by two events: its first facts stay.
 */
const PLACED: [number, number, number][] = [
  [0, 12, 12_345],
  [1, 12, 990],
  [2, 0.5, 500],
  [0, 20, 777],
  [3, 30, 100],
];

/** `order.placed` and `order.paid` consumed many events to a transaction, as one by one. */
describe("notification batches", () => {
  let system: TestSystem;
  let svc: NotificationService;
  // A pool of the test's own, so every statement on it is the work's (the service's relay and sweeper use theirs).
  let pool: Pool;
  let statements: string[] = [];
  const tag = randomUUID().slice(0, 8);
  let worlds = 0;

  beforeAll(async () => {
    system = await startSystem(["notification"]);
    svc = system.broker.getLocalService("notification") as unknown as NotificationService;
    pool = createPool(loadConfig(), svc.dbSchema);
    const wrapped = new WeakSet<PoolClient>();
    pool.on("acquire", (client: PoolClient) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((text: unknown, ...rest: unknown[]) => {
        const sql = typeof text === "string" ? text : (text as { text: string }).text;
        statements.push(sql.replace(/\s+/g, " ").trim());
        return query(text, ...rest);
      }) as PoolClient["query"];
    });
  });

  afterAll(async () => {
    await pool?.end();
    await system?.stop();
  });

  /** The service's deps on the test's pool, with timers that only note what is armed and cancelled. */
  function observed() {
    const { timers, armed, cancelled } = recordingTimers();
    const deps: NotificationDeps = { ...svc.deps, pool, timers };
    return { deps, armed, cancelled };
  }

  /** Fresh orders, buyers and shops for the scenario, and the placed events over them. */
  function world(base: number, leadMs: number) {
    const w = `${tag}w${++worlds}`;
    const orders = ORDER_BUYERS.map((buyer, i) => ({
      orderNo: `26${w}o${i}`,
      parentOrderNo: `26${w}p${i}`,
      buyerId: `buyer-${w}-${buyer}`,
      shopId: `shop-${w}-${i}`,
    }));
    const placed = PLACED.map(([o, leads, payableMinor]) =>
      newEvent<OrderPlacedPayload>("order.placed", {
        ...(orders[o] as (typeof orders)[number]),
        payableMinor,
        paymentDeadline: new Date(base + leads * leadMs).toISOString(),
      }),
    );
    // Longest first, so no id is replaced inside a longer one.
    const tokens = [
      ...orders.flatMap((o, i) => [
        [o.orderNo, `<order ${i}>`],
        [o.buyerId, `<buyer ${ORDER_BUYERS[i]}>`],
        [o.shopId, `<shop ${i}>`],
      ]),
      ...placed.map((e, i) => [e.eventId, `<event ${i}>`]),
    ].sort(([a], [b]) => (b?.length ?? 0) - (a?.length ?? 0)) as [string, string][];
    const normalize = <T>(value: T): T =>
      JSON.parse(tokens.reduce((json, [id, token]) => json.split(id).join(token), JSON.stringify(value)));
    return { orders, placed, normalize };
  }
  type World = ReturnType<typeof world>;

  /** Rows in a fixed order once their ids are tokens. */
  const sorted = <T>(rows: T[]) => rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  /** Everything the scenario's events left: facts, deliveries, inbox messages; ids made tokens. */
  async function outcome(wd: World) {
    const orderNos = wd.orders.map((o) => o.orderNo);
    const eventIds = wd.placed.map((e) => e.eventId);
    const facts = await svc.pool.query(
      `SELECT order_no, buyer_id, shop_id, payable_minor, payment_deadline, payment_remind_at,
         payment_reminded_at, paid_at, closed_at FROM order_facts WHERE order_no = ANY($1) ORDER BY order_no`,
      [orderNos],
    );
    const deliveries = await svc.pool.query(
      `SELECT event_id, node, recipient, channel, title, text, order_no, status, attempts FROM deliveries
       WHERE event_id = ANY($1) ORDER BY event_id, recipient, channel`,
      [eventIds],
    );
    const messages = await svc.pool.query(
      `SELECT d.event_id, m.recipient, m.node, m.title, m.text, m.order_no FROM messages m
       JOIN deliveries d ON d.id = m.delivery_id WHERE d.event_id = ANY($1) ORDER BY d.event_id, m.recipient`,
      [eventIds],
    );
    return {
      facts: wd.normalize(facts.rows),
      deliveries: sorted(wd.normalize(deliveries.rows)),
      messages: sorted(wd.normalize(messages.rows)),
    };
  }

  /** Hands `events` to the batching consumer together behind a lone first event, so they form one batch. */
  async function inOneBatch<T>(
    consume: (e: EventEnvelope<T>) => Promise<void>,
    lead: EventEnvelope<T>,
    events: EventEnvelope<T>[],
  ) {
    const first = consume(lead);
    // The lead goes out alone at the end of this turn; the events that follow it, while it is written, together.
    await new Promise((resolve) => setImmediate(resolve));
    const rest = events.map((e) =>
      consume(e).then(
        () => "done",
        (err: Error) => err.message,
      ),
    );
    await first;
    return Promise.all(rest);
  }

  /** Batches written in their one statement (facts and deliveries together), and transactions. */
  const writesOf = (sql: string[]) => ({
    statements: sql.filter((s) => s.startsWith("WITH facts AS (INSERT INTO order_facts")).length,
    ...transactionsOf(sql),
  });

  const transactionsOf = (sql: string[]) => ({
    begun: sql.filter((s) => s === "BEGIN").length,
    committed: sql.filter((s) => s === "COMMIT").length,
    rolledBack: sql.filter((s) => s === "ROLLBACK").length,
  });

  const placedLead = () =>
    newEvent<OrderPlacedPayload>("order.placed", {
      orderNo: `26${tag}L${++worlds}`,
      parentOrderNo: `26${tag}LP${worlds}`,
      buyerId: `buyer-${tag}-lead`,
      shopId: `shop-${tag}-lead`,
      payableMinor: 1,
      paymentDeadline: new Date(Date.now() + 3_600_000).toISOString(),
    });

  it("records a batch of placed events over several orders as it records them one by one", async () => {
    const leadMs = svc.deps.settings.paymentReminderMs;
    const base = Date.now() + 1_000;
    const oneByOne = world(base, leadMs);
    const batched = world(base, leadMs);
    const single = observed();
    for (const e of oneByOne.placed) await onOrderPlaced(single.deps, e);

    const many = observed();
    statements = [];
    const results = await inOneBatch(batchedConsumers(many.deps).placed, placedLead(), batched.placed);
    expect(results).toEqual(PLACED.map(() => "done"));
    // The lead event's statement, then the whole scenario's: facts and deliveries in one statement each.
    expect(statements.map((s) => s.slice(0, 38))).toEqual(
      Array(2).fill("WITH facts AS (INSERT INTO order_facts"),
    );

    const expected = await outcome(oneByOne);
    expect(await outcome(batched)).toEqual(expected);
    expect(expected.facts).toHaveLength(4);
    expect(expected.facts[0]).toMatchObject({ payable_minor: 12_345, buyer_id: "<buyer 0>" });
    expect(expected.facts[2]).toMatchObject({ payment_remind_at: null });
    expect(expected.deliveries).toHaveLength(PLACED.length);
    expect(expected.messages).toHaveLength(PLACED.length);
    // The same reminders, armed by order number (the second event of order 0 arms it again: a no-op).
    const reminders = (armed: typeof single.armed, wd: World) =>
      sorted<{ key: string; via: string }>(
        wd.normalize(
          armed.filter((a) => !a.key.includes("L")).map((a) => ({ ...a, at: a.at.toISOString() })),
        ),
      );
    expect(reminders(many.armed, batched)).toEqual(reminders(single.armed, oneByOne));
    expect(reminders(single.armed, oneByOne).map((a) => [a.key, a.via])).toEqual([
      ["<order 0>", "arm"],
      ["<order 0>", "arm"],
      ["<order 1>", "arm"],
      ["<order 3>", "arm"],
    ]);
  });

  it("adds nothing when a batch is delivered again", async () => {
    const wd = world(Date.now() + 1_000, svc.deps.settings.paymentReminderMs);
    const consumers = batchedConsumers(observed().deps);
    await inOneBatch(consumers.placed, placedLead(), wd.placed);
    const first = await outcome(wd);
    statements = [];
    expect(await inOneBatch(consumers.placed, placedLead(), wd.placed)).toEqual(PLACED.map(() => "done"));
    expect(writesOf(statements)).toEqual({ statements: 2, begun: 0, committed: 0, rolledBack: 0 });
    expect(await outcome(wd)).toEqual(first);
    expect(first.messages).toHaveLength(PLACED.length);
  });

  it("adds an event given twice in one batch once", async () => {
    const wd = world(Date.now() + 1_000, svc.deps.settings.paymentReminderMs);
    const twice = [0, 1, 1, 4].map((i) => wd.placed[i] as EventEnvelope<OrderPlacedPayload>);
    statements = [];
    const results = await inOneBatch(batchedConsumers(observed().deps).placed, placedLead(), twice);
    expect(results).toEqual(["done", "done", "done", "done"]);
    expect(writesOf(statements)).toEqual({ statements: 2, begun: 0, committed: 0, rolledBack: 0 });
    const { messages, deliveries } = await outcome(wd);
    expect(messages.map((m: { event_id: string }) => m.event_id)).toEqual([
      "<event 0>",
      "<event 1>",
      "<event 4>",
    ]);
    expect(deliveries).toHaveLength(3);
  });

  it("gets the rest of a batch done when one event makes its statement fail", async () => {
    const wd = world(Date.now() + 1_000, svc.deps.settings.paymentReminderMs);
    const event = (i: number) => wd.placed[i] as EventEnvelope<OrderPlacedPayload>;
    // Minor units are whole: the facts statement refuses the batch that holds this one.
    const broken = { ...event(1), payload: { ...event(1).payload, payableMinor: 9.5 } };
    statements = [];
    const results = await inOneBatch(batchedConsumers(observed().deps).placed, placedLead(), [
      event(0),
      broken,
      event(4),
    ]);
    expect(results).toEqual(["done", expect.stringContaining("bigint"), "done"]);
    // The lead's, the batch's (refused whole), then each of its events' on its own.
    expect(writesOf(statements)).toEqual({ statements: 5, begun: 0, committed: 0, rolledBack: 0 });
    const { facts, messages } = await outcome(wd);
    expect(facts.map((f: { order_no: string }) => f.order_no)).toEqual(["<order 0>", "<order 3>"]);
    expect(messages.map((m: { event_id: string }) => m.event_id)).toEqual(["<event 0>", "<event 4>"]);
  });

  it("records a batch of paid events, sends each event's pushes once and cancels each payment reminder", async () => {
    const wd = world(Date.now() + 1_000, svc.deps.settings.paymentReminderMs);
    const { deps, cancelled } = observed();
    const consumers = batchedConsumers(deps);
    await inOneBatch(consumers.placed, placedLead(), wd.placed);
    const paidOf = (o: (typeof wd.orders)[number], i: number) =>
      newEvent("order.paid", {
        ...o,
        paymentNo: `P${tag}${i}`,
        paidMinor: 990,
        paidAt: new Date(Date.now() - i * 1_000).toISOString(),
      } as OrderPaidPayload);
    const paid = wd.orders.map(paidOf);
    const { orderNo, parentOrderNo, buyerId, shopId } = placedLead().payload;
    const lead = paidOf({ orderNo, parentOrderNo, buyerId, shopId }, 99);
    statements = [];
    expect(await inOneBatch(consumers.paid, lead, paid)).toEqual(paid.map(() => "done"));
    expect(writesOf(statements)).toMatchObject({ statements: 2, begun: 0 });
    const { rows } = await svc.pool.query(
      `SELECT event_id, count(*) FILTER (WHERE channel = 'APP_PUSH' AND status = 'SENT')::int AS pushed,
         count(*) FILTER (WHERE channel = 'IN_APP')::int AS inbox
       FROM deliveries WHERE event_id = ANY($1) GROUP BY event_id ORDER BY event_id`,
      [paid.map((e) => e.eventId)],
    );
    expect(rows.map((r) => [r.pushed, r.inbox])).toEqual(paid.map(() => [2, 2]));
    const facts = await svc.pool.query("SELECT order_no, paid_at FROM order_facts WHERE order_no = ANY($1)", [
      wd.orders.map((o) => o.orderNo),
    ]);
    expect(new Map(facts.rows.map((f) => [f.order_no, f.paid_at.toISOString()]))).toEqual(
      new Map(paid.map((e) => [e.payload.orderNo, e.payload.paidAt])),
    );
    expect(cancelled.filter((c) => !c.key.includes("L")).sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      wd.orders.map((o) => ({ kind: "payment-reminder", key: o.orderNo })),
    );
  });

  it("records several patches of one order in one statement as it records them one after another", async () => {
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 27, 10, minutes));
    const patches: FactsPatch[] = [
      { buyerId: "b1", closedAt: at(5), paymentRemindAt: null },
      { buyerId: "b2", shopId: "s1", payableMinor: 500, paymentDeadline: at(30), paymentRemindAt: at(25) },
      { shopId: "s2", paidAt: at(10), autoConfirmAt: at(50), autoConfirmRemindAt: at(45) },
      { payableMinor: 600, paidAt: at(11), autoConfirmAt: at(40), autoConfirmRemindAt: at(35) },
      { autoConfirmAt: at(55), autoConfirmRemindAt: null, completedAt: at(59) },
    ];
    const apart = `26${tag}M1`;
    const together = `26${tag}M2`;
    const stored = await withTransaction(pool, async (tx) => {
      for (const patch of patches) await recordFacts(tx, [{ orderNo: apart, patch }]);
      await recordFacts(
        tx,
        patches.map((patch) => ({ orderNo: together, patch })),
      );
      const { rows } = await tx.query(
        "SELECT * FROM order_facts WHERE order_no = ANY($1) ORDER BY order_no",
        [[apart, together]],
      );
      return rows.map(({ order_no, updated_at, ...facts }) => facts);
    });
    expect(stored[1]).toEqual(stored[0]);
    expect(stored[0]).toMatchObject({
      buyer_id: "b1",
      shop_id: "s1",
      payable_minor: 500,
      paid_at: at(10),
      auto_confirm_at: at(55),
      auto_confirm_remind_at: at(45),
    });
  });
});
