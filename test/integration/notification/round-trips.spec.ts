import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { PoolClient } from "pg";
import type {
  ChannelAdapters,
  OutgoingMessage,
} from "../../../services/notification/adapters/channel-adapter";
import {
  batchedConsumers,
  onOrderPaid,
  onOrderPlaced,
} from "../../../services/notification/commands/consume-events";
import { sendPendingOf } from "../../../services/notification/commands/deliver";
import {
  NOTIFY_RETRY,
  type NotificationDeps,
} from "../../../services/notification/commands/notification-deps";
import { recordNotification } from "../../../services/notification/commands/record-notification";
import { paidNotification } from "../../../services/notification/domain/event-notifications";
import type { NotificationService } from "../../../services/notification/notification.service";
import type { OrderPaidPayload, OrderPlacedPayload } from "../../../shared/contracts/order.contract";
import { withTransaction } from "../../../shared/db/pool";
import { type EventEnvelope, newEvent } from "../../../shared/outbox/outbox";
import { startSystem, type TestSystem } from "../../support/system";
import { recordingTimers } from "./recording-timers";

/** An event's PostgreSQL round trips, and the guarantees of sending an event's deliveries together. */
describe("notification database round trips", () => {
  let system: TestSystem;
  let svc: NotificationService;

  // Every statement of every client the pool lends, by checkout: the outbox relay and the sweeper
  // borrow the same pool meanwhile, and their checkouts are left out, as is the rules read (cached
  // for 5 s, so not per event).
  let recording: { checkout: number; sql: string }[] | null = null;
  // Only statements sent on behalf of the measured work count: the run's earlier suites share its
  // schemas and streams, so this service may meanwhile handle their leftover events and deliveries.
  const ofTheWork = new AsyncLocalStorage<boolean>();
  const checkouts = new WeakMap<PoolClient, number>();
  let lastCheckout = 0;
  const notTheEvent =
    /\b(FROM|UPDATE|INTO) outbox\b|FROM deliveries WHERE status IN|FROM order_facts\s+WHERE payment_remind_at|FROM rules ORDER BY/;

  /** The statements `work` sends, in order. */
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    const seen: { checkout: number; sql: string }[] = [];
    recording = seen;
    try {
      await ofTheWork.run(true, work);
    } finally {
      recording = null;
    }
    const foreign = new Set(seen.filter((s) => notTheEvent.test(s.sql)).map((s) => s.checkout));
    return seen.filter((s) => !foreign.has(s.checkout)).map((s) => s.sql.replace(/\s+/g, " ").trim());
  }

  const tag = randomUUID().slice(0, 8);
  let n = 0;
  const order = (buyerId = `buyer-${tag}-${++n}`) => ({
    orderNo: `26${tag}${++n}`,
    parentOrderNo: `26${tag}P${n}`,
    buyerId,
    shopId: `shop-${tag}-${n}`,
  });
  type Order = ReturnType<typeof order>;
  const placed = (o: Order): EventEnvelope<OrderPlacedPayload> =>
    newEvent("order.placed", {
      ...o,
      payableMinor: 12_345,
      paymentDeadline: new Date(Date.now() + 3_600_000).toISOString(),
    });
  const paid = (o: Order): EventEnvelope<OrderPaidPayload> =>
    newEvent("order.paid", {
      ...o,
      paymentNo: `P${tag}${n}`,
      paidMinor: 12_345,
      paidAt: new Date().toISOString(),
    } as OrderPaidPayload);

  const deliveriesOf = async (eventId: string) =>
    (
      await svc.pool.query(
        "SELECT recipient, channel, status, attempts, last_error FROM deliveries WHERE event_id = $1 ORDER BY recipient, channel",
        [eventId],
      )
    ).rows;

  /** The service's deps with adapters that count their calls and timers that only note what is armed, and how. */
  function observed() {
    const sends: OutgoingMessage[] = [];
    const { timers, armed } = recordingTimers();
    const sandbox = svc.deps.adapters.APP_PUSH;
    const counting = {
      send(m: OutgoingMessage) {
        sends.push(m);
        return sandbox.send(m);
      },
    };
    const adapters: ChannelAdapters = { APP_PUSH: counting, SMS: counting, WECHAT_TEMPLATE: counting };
    const deps: NotificationDeps = { ...svc.deps, adapters, timers };
    return { deps, sends, armed };
  }

  beforeAll(async () => {
    system = await startSystem(["notification"]);
    svc = system.broker.getLocalService("notification") as unknown as NotificationService;
    svc.pool.on("acquire", (client: PoolClient) => {
      const known = checkouts.has(client);
      checkouts.set(client, ++lastCheckout);
      if (known) return;
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((text: unknown, ...rest: unknown[]) => {
        const sql = typeof text === "string" ? text : (text as { text: string }).text;
        if (ofTheWork.getStore()) recording?.push({ checkout: checkouts.get(client) ?? 0, sql });
        return query(text, ...rest);
      }) as PoolClient["query"];
    });
    // Warm up: prepared statements and the rules cache.
    await onOrderPlaced(observed().deps, placed(order()));
  });

  afterAll(() => system.stop());

  /** An event's (or a batch's) facts and deliveries: one statement, no transaction. */
  const WRITE = "WITH facts AS (INSERT INTO o";

  it("consumes a lone order.placed event (IN_APP only) in one statement", async () => {
    const { deps } = observed();
    const sql = await statementsOf(() => onOrderPlaced(deps, placed(order())));
    expect(sql.map((s) => s.slice(0, 28))).toEqual([WRITE]);
  });

  it.each([3, 24])("consumes %i order.placed events that arrive together in one statement", async (n) => {
    const { deps, armed } = observed();
    const consumers = batchedConsumers(deps);
    const events = Array.from({ length: n }, () => placed(order()));
    // Arriving in the same turn of the event loop, they go out together.
    const sql = await statementsOf(() => Promise.all(events.map((e) => consumers.placed(e))));
    expect(sql.map((s) => s.slice(0, 28))).toEqual([WRITE]);
    const { rows } = await svc.pool.query(
      "SELECT count(*)::int AS n FROM messages m JOIN deliveries d ON d.id = m.delivery_id WHERE d.event_id = ANY($1)",
      [events.map((e) => e.eventId)],
    );
    expect(rows[0].n).toBe(n);
    expect(armed.map((a) => [a.key, a.via])).toEqual(events.map((e) => [e.payload.orderNo, "arm"]));
  });

  it("consumes order.paid events that arrive together in one statement, then sends each event's pushes", async () => {
    const { deps, sends } = observed();
    const consumers = batchedConsumers(deps);
    const orders = Array.from({ length: 5 }, () => order());
    const events = orders.map(paid);
    const sql = await statementsOf(() => Promise.all(events.map((e) => consumers.paid(e))));
    // The sends (claim, record, mark SENT) run side by side with the writes, so only the writes are
    // compared in order.
    const writes = sql.filter((s) => !/^(UPDATE deliveries|INSERT INTO sandbox_outbox)/.test(s));
    expect(writes.map((s) => s.slice(0, 28))).toEqual([WRITE]);
    expect(sends).toHaveLength(10);
    for (const e of events) {
      expect((await deliveriesOf(e.eventId)).map((d) => [d.channel, d.status, d.attempts])).toEqual([
        ["APP_PUSH", "SENT", 1],
        ["IN_APP", "SENT", 1],
        ["APP_PUSH", "SENT", 1],
        ["IN_APP", "SENT", 1],
      ]);
    }
  });

  it("consumes an order.paid event with two pushes in four statements", async () => {
    const { deps, sends } = observed();
    const o = order();
    await onOrderPlaced(deps, placed(o));
    const event = paid(o);
    const sql = await statementsOf(() => onOrderPaid(deps, event));
    expect(sql.map((s) => s.slice(0, 28))).toEqual([
      WRITE,
      "UPDATE deliveries SET status",
      // The two pushes' sandbox records, made in the same turn, together.
      "INSERT INTO sandbox_outbox (",
      "UPDATE deliveries SET status",
    ]);
    expect(sends.map((m) => m.recipient).sort()).toEqual([o.buyerId, `shop:${o.shopId}`].sort());
    expect((await deliveriesOf(event.eventId)).map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ["APP_PUSH", "SENT", 1],
      ["IN_APP", "SENT", 1],
      ["APP_PUSH", "SENT", 1],
      ["IN_APP", "SENT", 1],
    ]);
  });

  it("notes the payment reminder's due time with the facts, and none when the deadline is too near", async () => {
    const { deps, armed } = observed();
    const far = order();
    const near = order();
    await onOrderPlaced(deps, placed(far));
    const nearEvent = placed(near);
    await onOrderPlaced(deps, {
      ...nearEvent,
      payload: { ...nearEvent.payload, paymentDeadline: new Date(Date.now() + 1_000).toISOString() },
    });
    const remindAt = async (orderNo: string) =>
      (await svc.pool.query("SELECT payment_remind_at FROM order_facts WHERE order_no = $1", [orderNo]))
        .rows[0]?.payment_remind_at;
    const due = await remindAt(far.orderNo);
    expect(due).toBeInstanceOf(Date);
    expect(armed).toEqual([{ kind: "payment-reminder", key: far.orderNo, at: due, via: "arm" }]);
    expect(await remindAt(near.orderNo)).toBeNull();
  });

  it("sends deliveries a crash left PENDING when the event is redelivered, once each", async () => {
    const { deps, sends } = observed();
    const o = order();
    const event = paid(o);
    // The first delivery committed its rows and died before sending.
    const rules = await deps.rules.snapshot();
    await withTransaction(svc.pool, (tx) =>
      recordNotification(deps, tx, paidNotification(event.eventId, event.payload), new Date(), rules),
    );
    await onOrderPaid(deps, event);
    await onOrderPaid(deps, event);
    expect(sends).toHaveLength(2);
    expect((await deliveriesOf(event.eventId)).map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ["APP_PUSH", "SENT", 1],
      ["IN_APP", "SENT", 1],
      ["APP_PUSH", "SENT", 1],
      ["IN_APP", "SENT", 1],
    ]);
  });

  it("claims each delivery once when two pods send the same event at once", async () => {
    const { deps, sends } = observed();
    const event = paid(order());
    const rules = await deps.rules.snapshot();
    await withTransaction(svc.pool, (tx) =>
      recordNotification(deps, tx, paidNotification(event.eventId, event.payload), new Date(), rules),
    );
    await Promise.all([sendPendingOf(deps, event.eventId), sendPendingOf(deps, event.eventId)]);
    expect(sends).toHaveLength(2);
    const pushes = (await deliveriesOf(event.eventId)).filter((d) => d.channel === "APP_PUSH");
    expect(pushes.map((d) => [d.status, d.attempts])).toEqual([
      ["SENT", 1],
      ["SENT", 1],
    ]);
  });

  it("records a failed send on its own and arms its retry, while the event's other sends go SENT", async () => {
    const { deps, armed } = observed();
    const o = order(`buyer-fail-push-${tag}`);
    const event = paid(o);
    await onOrderPaid(deps, event);
    const rows = await deliveriesOf(event.eventId);
    const buyerPush = rows.find((d) => d.recipient === o.buyerId && d.channel === "APP_PUSH");
    const shopPush = rows.find((d) => d.recipient === `shop:${o.shopId}` && d.channel === "APP_PUSH");
    expect(buyerPush).toMatchObject({
      status: "FAILED",
      attempts: 1,
      last_error: expect.stringContaining("refuses"),
    });
    expect(shopPush).toMatchObject({ status: "SENT", attempts: 1, last_error: null });
    const { rows: ids } = await svc.pool.query(
      "SELECT id, next_attempt_at FROM deliveries WHERE event_id = $1 AND status = 'FAILED'",
      [event.eventId],
    );
    expect(armed).toEqual([
      { kind: NOTIFY_RETRY, key: ids[0].id, at: ids[0].next_attempt_at, via: "schedule" },
    ]);
  });
});
