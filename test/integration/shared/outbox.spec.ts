import type { ServiceBroker } from "moleculer";
import { Pool } from "pg";
import { publishToChannel, withChannels } from "../../../shared/channels";
import { withTransaction } from "../../../shared/db/pool";
import { consumeOnce } from "../../../shared/outbox/inbox";
import { type EventEnvelope, recordEvent } from "../../../shared/outbox/outbox";
import { OutboxRelay, type PublishEvent } from "../../../shared/outbox/outbox-relay";
import {
  cfg,
  count,
  deleteChannelStreams,
  openSchema,
  sleep,
  startBroker,
  waitFor,
  writeEffect,
} from "./harness";

const CH = { relay: "outbox-spec.relayed", restart: "outbox-spec.restarted", retry: "outbox-spec.retried" };
const CONSUMER = "outbox-spec-consumer";

describe("transactional outbox and relay", () => {
  let pool: Pool;
  let schema: string;
  let producer: ServiceBroker;
  let consumer: ServiceBroker;
  const deliveries: EventEnvelope[] = [];
  const publishViaChannels: PublishEvent = (ch, env) => publishToChannel(producer, ch, env);
  const newRelay = (publish: PublishEvent = publishViaChannels) =>
    new OutboxRelay({
      pool,
      publish,
      pollMs: 20,
      retryBaseMs: 100,
      retryCapMs: 300,
      publishTimeoutMs: 2_000,
    });
  const effects = (eventId: string) =>
    count(pool, "SELECT count(*) AS n FROM effect WHERE event_id = $1", [eventId]);

  beforeAll(async () => {
    ({ pool, schema } = await openSchema("outbox_test"));
    const handler = async (env: EventEnvelope) => {
      deliveries.push(env);
      await consumeOnce(pool, CONSUMER, env.eventId, (tx) => writeEffect(tx, CONSUMER, env.eventId));
    };
    const channels = Object.fromEntries(Object.values(CH).map((ch) => [ch, { handler }]));
    consumer = await startBroker("outbox-consumer", [withChannels({ name: CONSUMER, channels })]);
    producer = await startBroker("outbox-producer");
  });

  afterAll(async () => {
    await producer?.stop();
    await consumer?.stop();
    await pool?.end();
    await deleteChannelStreams(Object.values(CH));
  });

  beforeEach(async () => {
    await pool.query("TRUNCATE outbox, inbox, effect, widget");
    deliveries.length = 0;
  });

  it("commits the state change and its event together, and a rollback leaves neither", async () => {
    await withTransaction(pool, async (tx) => {
      await tx.query("INSERT INTO widget (id, state) VALUES ('w1', 'placed')");
      await recordEvent(tx, CH.relay, { widgetId: "w1" });
    });
    const failing = withTransaction(pool, async (tx) => {
      await tx.query("INSERT INTO widget (id, state) VALUES ('w2', 'placed')");
      await recordEvent(tx, CH.relay, { widgetId: "w2" });
      throw new Error("crash before commit");
    });
    await expect(failing).rejects.toThrow("crash before commit");

    const widgets = await pool.query("SELECT id FROM widget");
    const outbox = await pool.query("SELECT payload, published_at FROM outbox");
    expect(widgets.rows).toEqual([{ id: "w1" }]);
    expect(outbox.rows).toEqual([{ payload: { widgetId: "w1" }, published_at: null }]);
  });

  it("publishes pending rows when kicked, marks them sent, and the consumer applies each once", async () => {
    // A poll interval far beyond the test: only kick() can make this relay publish in time.
    const relay = new OutboxRelay({ pool, publish: publishViaChannels, pollMs: 60_000 });
    relay.start();
    try {
      await sleep(100);
      const recorded = await withTransaction(pool, async (tx) => [
        await recordEvent(tx, CH.relay, { n: 1 }),
        await recordEvent(tx, CH.relay, { n: 2 }),
        await recordEvent(tx, CH.relay, { n: 3 }),
      ]);
      relay.kick();
      await waitFor(async () => (await count(pool, "SELECT count(*) AS n FROM effect")) === 3, 3_000);
      expect(deliveries.map((d) => d.eventId).sort()).toEqual(recorded.map((r) => r.eventId).sort());
      expect(deliveries.find((d) => d.eventId === recorded[1]?.eventId)).toEqual(recorded[1]);
      for (const r of recorded) expect(await effects(r.eventId)).toBe(1);
    } finally {
      await relay.stop();
    }
    expect(await count(pool, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")).toBe(0);
  });

  it("delivers events after the relay dies between commit and publish, and between publish and mark", async () => {
    const [sentNotMarked, notSent] = await withTransaction(pool, async (tx) => {
      await tx.query("INSERT INTO widget (id, state) VALUES ('w3', 'paid')");
      return [
        await recordEvent(tx, CH.restart, { widgetId: "w3" }),
        await recordEvent(tx, CH.restart, { n: 2 }),
      ];
    });
    // The dying relay claims and publishes the first row, then loses its database before it marks it.
    const leaseMs = 800;
    const dyingPool = new Pool({
      connectionString: cfg.databaseUrl,
      options: `-c search_path=${schema}`,
      max: 1,
    });
    dyingPool.on("error", () => undefined);
    const dying = new OutboxRelay({
      pool: dyingPool,
      pollMs: 20,
      batchSize: 1,
      publishTimeoutMs: 200,
      leaseMs,
      publish: async (ch, env) => {
        await publishToChannel(producer, ch, env, { deduplicate: false });
        await dyingPool.end();
      },
    });
    const claimedAt = Date.now();
    await expect(dying.drainOnce()).rejects.toThrow();
    await waitFor(async () => deliveries.length === 1);
    expect(await count(pool, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")).toBe(2);

    // A fresh relay, as after a restart, publishes the unclaimed row at once and republishes the
    // claimed one when its lease ends, without the stream's duplicate window to help.
    const publishedAt = new Map<string, number>();
    const restarted = newRelay(async (ch, env) => {
      await publishToChannel(producer, ch, env, { deduplicate: false });
      publishedAt.set(env.eventId, Date.now());
    });
    restarted.start();
    try {
      await waitFor(
        async () => (await count(pool, "SELECT count(*) AS n FROM effect")) === 2 && deliveries.length === 3,
      );
    } finally {
      await restarted.stop();
    }
    expect(publishedAt.get(notSent!.eventId)! - claimedAt).toBeLessThan(leaseMs);
    expect(publishedAt.get(sentNotMarked!.eventId)! - claimedAt).toBeGreaterThanOrEqual(leaseMs);
    expect(deliveries.filter((d) => d.eventId === sentNotMarked?.eventId)).toHaveLength(2);
    expect(await effects(notSent!.eventId)).toBe(1);
    expect(await effects(sentNotMarked!.eventId)).toBe(1);
    expect(await count(pool, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")).toBe(0);
  });

  it("retries a failing publish with capped exponential backoff and goes on with other rows", async () => {
    const [flaky, healthy] = await withTransaction(pool, async (tx) => [
      await recordEvent(tx, CH.retry, { flaky: true }),
      await recordEvent(tx, CH.retry, { flaky: false }),
    ]);
    const calls: number[] = [];
    const relay = newRelay(async (ch, env) => {
      if (env.eventId === flaky!.eventId && calls.push(Date.now()) <= 3)
        throw new Error(`nats down #${calls.length}`);
      await publishViaChannels(ch, env);
    });
    relay.start();
    try {
      await waitFor(async () => (await effects(healthy!.eventId)) === 1);
      const row = await pool.query(
        "SELECT attempts, last_error, next_attempt_at > now() AS later FROM outbox WHERE event_id = $1",
        [flaky!.eventId],
      );
      expect(row.rows[0]).toMatchObject({ attempts: 1, last_error: "nats down #1", later: true });
      await waitFor(async () => (await effects(flaky!.eventId)) === 1);
    } finally {
      await relay.stop();
    }
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    expect(calls).toHaveLength(4);
    // Backoff 100, 200, then capped at 300 ms (small allowance for timer rounding).
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(295);
    expect(gaps[2]).toBeLessThan(1_000);
    const final = await pool.query(
      "SELECT attempts, published_at IS NOT NULL AS sent FROM outbox WHERE event_id = $1",
      [flaky!.eventId],
    );
    expect(final.rows[0]).toEqual({ attempts: 3, sent: true });
  });

  it("lets two relays drain one table concurrently without publishing a row twice", async () => {
    await withTransaction(pool, async (tx) => {
      for (let i = 0; i < 200; i++) await recordEvent(tx, CH.relay, { n: i });
    });
    const published: string[][] = [[], []];
    const relays = published.map(
      (sink) =>
        new OutboxRelay({
          pool,
          pollMs: 10,
          batchSize: 20,
          publish: async (_ch, env) => {
            sink.push(env.eventId);
            await new Promise((r) => setTimeout(r, 1));
          },
        }),
    );
    for (const r of relays) r.start();
    try {
      await waitFor(
        async () => (await count(pool, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")) === 0,
      );
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
    const all = published.flat();
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect(published[0]!.length).toBeGreaterThan(0);
    expect(published[1]!.length).toBeGreaterThan(0);
  });
});
