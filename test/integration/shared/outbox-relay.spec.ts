import type { Pool } from "pg";
import { withTransaction } from "../../../shared/db/pool";
import { type EventEnvelope, recordEvent } from "../../../shared/outbox/outbox";
import { OutboxRelay, type OutboxRelayOptions, type PublishEvent } from "../../../shared/outbox/outbox-relay";
import { count, openSchema, sleep, waitFor } from "./harness";

const CH = "outbox-relay-spec.recorded";

/** A publish that resolves only when `open()` is called, as a broker that hangs would. */
function gatedPublish(sink: string[]): { publish: PublishEvent; open: () => void } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    publish: async (_ch, env) => {
      sink.push(env.eventId);
      await gate;
    },
    open: () => open(),
  };
}

describe("OutboxRelay claiming by lease", () => {
  let pool: Pool;
  const newRelay = (opts: Partial<OutboxRelayOptions> & Pick<OutboxRelayOptions, "publish">) =>
    new OutboxRelay({ pool, pollMs: 20, retryBaseMs: 100, retryCapMs: 300, publishTimeoutMs: 100, ...opts });
  const sinkPublish =
    (sink: string[]): PublishEvent =>
    async (_ch, env) => {
      sink.push(env.eventId);
    };
  const recordMany = (n: number) =>
    withTransaction(pool, async (tx) => {
      const recorded: EventEnvelope[] = [];
      for (let i = 0; i < n; i++) recorded.push(await recordEvent(tx, CH, { n: i }));
      return recorded.map((r) => r.eventId);
    });
  const pending = () => count(pool, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL");
  const outboxRow = async (eventId: string) =>
    (
      await pool.query(
        `SELECT attempts, last_error, published_at IS NOT NULL AS sent,
           extract(epoch FROM next_attempt_at - clock_timestamp()) * 1000 AS due_in_ms
         FROM outbox WHERE event_id = $1`,
        [eventId],
      )
    ).rows[0];

  beforeAll(async () => {
    ({ pool } = await openSchema("outbox_relay_test"));
  });

  afterAll(async () => {
    await pool?.end();
  });

  beforeEach(async () => {
    await pool.query("TRUNCATE outbox");
  });

  it("claims and settles a batch in two statements, failures included, and polls idle in one", async () => {
    const [flaky, ...healthy] = await recordMany(3);
    const statements: string[] = [];
    const counting = {
      query: ((text: string, values?: unknown[]) => {
        statements.push(text);
        return pool.query(text, values);
      }) as Pool["query"],
    };
    const relay = newRelay({
      pool: counting,
      publish: async (_ch, env) => {
        if (env.eventId === flaky) throw new Error("nats down");
      },
    });

    expect(await relay.drainOnce()).toBe(2);
    expect(statements).toHaveLength(2);
    expect(statements.join("\n")).not.toMatch(/\bBEGIN\b|\bCOMMIT\b/);
    expect(await outboxRow(flaky!)).toMatchObject({ attempts: 1, last_error: "nats down", sent: false });
    for (const id of healthy) expect(await outboxRow(id)).toMatchObject({ attempts: 0, sent: true });

    expect(await relay.drainOnce()).toBe(0);
    expect(statements).toHaveLength(3);
  });

  it("polls an idle outbox less and less often, and publishes what comes, kicked or not", async () => {
    let claims = 0;
    const counting = {
      query: ((text: string, values?: unknown[]) => {
        if (/FOR UPDATE SKIP LOCKED/.test(text)) claims += 1;
        return pool.query(text, values);
      }) as Pool["query"],
    };
    const published: string[] = [];
    const relay = newRelay({ pool: counting, publish: sinkPublish(published), idlePollMaxMs: 160 });
    relay.start();
    try {
      // Waits of 40, 80, then 160 ms: about 8 polls in a second, not the 50 of a fixed 20 ms.
      await sleep(1_000);
      expect(claims).toBeGreaterThanOrEqual(4);
      expect(claims).toBeLessThanOrEqual(12);

      // A row committed without a kick is found by the next poll; one with a kick at once.
      const [quiet] = await recordMany(1);
      await waitFor(async () => published.includes(quiet!), 2_000);
      const [kicked] = await recordMany(1);
      relay.kick();
      await waitFor(async () => published.includes(kicked!), 2_000);
    } finally {
      await relay.stop();
    }
  });

  it("republishes the rows of a relay that claimed them and crashed only after its lease", async () => {
    const recorded = await recordMany(3);
    const leaseMs = 600;
    const crashedSink: string[] = [];
    let queries = 0;
    // The crashed relay's process dies after its claim: its settle statement never reaches the database.
    const crashing = {
      query: ((text: string, values?: unknown[]) => {
        if (++queries > 1) return Promise.reject(new Error("process died"));
        return pool.query(text, values);
      }) as Pool["query"],
    };
    const crashed = newRelay({ pool: crashing, leaseMs, publish: sinkPublish(crashedSink) });
    const claimedAt = Date.now();
    await expect(crashed.drainOnce()).rejects.toThrow("process died");
    expect(crashedSink).toEqual(recorded);

    const republished: string[] = [];
    const other = newRelay({ leaseMs, publish: sinkPublish(republished) });
    expect(await other.drainOnce()).toBe(0);
    await sleep(leaseMs / 2);
    expect(await other.drainOnce()).toBe(0);
    await waitFor(async () => (await other.drainOnce()) === 3, 3_000);
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(leaseMs);
    expect(republished).toEqual(recorded);
    expect(await pending()).toBe(0);
  });

  it("never lets a second relay publish a row while the first holds its lease", async () => {
    const first = await recordMany(5);
    const firstSink: string[] = [];
    const gated = gatedPublish(firstSink);
    const holder = newRelay({ leaseMs: 5_000, publishTimeoutMs: 4_000, publish: gated.publish });
    const holding = holder.drainOnce();
    await waitFor(async () => firstSink.length === 5);

    const later = await recordMany(2);
    const secondSink: string[] = [];
    const second = newRelay({ publish: sinkPublish(secondSink) });
    expect(await second.drainOnce()).toBe(2);
    expect(await second.drainOnce()).toBe(0);
    expect(secondSink).toEqual(later);

    gated.open();
    expect(await holding).toBe(5);
    expect(await second.drainOnce()).toBe(0);
    expect(firstSink).toEqual(first);
    expect(await pending()).toBe(0);
  });

  it("answers a publish that hangs with backoff from its timeout, not from the lease", async () => {
    const [hung] = await recordMany(1);
    const sink: string[] = [];
    const relay = newRelay({ leaseMs: 10_000, publishTimeoutMs: 100, publish: gatedPublish(sink).publish });
    expect(await relay.drainOnce()).toBe(0);
    const row = await outboxRow(hung!);
    expect(row).toMatchObject({ attempts: 1, last_error: "publish timed out after 100 ms", sent: false });
    // Retry 1 waits retryBaseMs (100 ms) from the failure; the 10 s lease no longer holds the row.
    expect(Number(row.due_in_ms)).toBeLessThanOrEqual(100);

    const retried: string[] = [];
    const healthy = newRelay({ publish: sinkPublish(retried) });
    await waitFor(async () => (await healthy.drainOnce()) === 1, 1_000);
    expect(retried).toEqual([hung]);
    expect(await outboxRow(hung!)).toMatchObject({
      attempts: 1,
      last_error: "publish timed out after 100 ms",
      sent: true,
    });
  });

  it("drops a failure reported after its lease ended, leaving the row to the relay that holds it now", async () => {
    const [eventId] = await recordMany(1);
    const leaseMs = 300;
    let queries = 0;
    // The late relay's settle statement waits past its lease, as under a stalled event loop or pool.
    const slowSettle = {
      query: (async (text: string, values?: unknown[]) => {
        if (++queries > 1) await sleep(leaseMs + 300);
        return pool.query(text, values);
      }) as unknown as Pool["query"],
    };
    const late = newRelay({
      pool: slowSettle,
      leaseMs,
      publish: async () => {
        throw new Error("nats down");
      },
    });
    const lateDrain = late.drainOnce();

    await sleep(leaseMs + 50);
    const holderSink: string[] = [];
    const gated = gatedPublish(holderSink);
    const holder = newRelay({ leaseMs: 5_000, publishTimeoutMs: 4_000, publish: gated.publish });
    const holding = holder.drainOnce();
    await waitFor(async () => holderSink.length === 1);

    expect(await lateDrain).toBe(0);
    expect(await outboxRow(eventId!)).toMatchObject({ attempts: 0, last_error: null, sent: false });
    expect(Number((await outboxRow(eventId!)).due_in_ms)).toBeGreaterThan(3_000);
    const third: string[] = [];
    expect(await newRelay({ publish: sinkPublish(third) }).drainOnce()).toBe(0);
    expect(third).toEqual([]);

    gated.open();
    expect(await holding).toBe(1);
    expect(await outboxRow(eventId!)).toMatchObject({ attempts: 0, sent: true });
  });

  it("publishes a batch in seq order whatever the rows' physical order and event times", async () => {
    const recorded: string[] = [];
    for (let i = 0; i < 40; i++) {
      // Each event on its own, occurring earlier than the one before it.
      const env = await withTransaction(pool, (tx) =>
        recordEvent(tx, CH, { n: i }, new Date(Date.UTC(2030, 0, 1) - i * 1000)),
      );
      recorded.push(env.eventId);
    }
    // Published rows awaiting the purge make the table bigger than the batch, as in production, so
    // the claim joins by scanning the table; and new row versions go after the old ones in the heap,
    // so the first half of the batch now lies physically last.
    await pool.query(`INSERT INTO outbox (event_id, channel, payload, occurred_at, published_at)
      SELECT gen_random_uuid(), '${CH}', '{}', now(), now() FROM generate_series(1, 500)`);
    await pool.query(
      "UPDATE outbox SET last_error = 'moved' WHERE seq <= (SELECT min(seq) + 19 FROM outbox)",
    );
    await pool.query("ANALYZE outbox");
    const order: string[] = [];
    const relay = newRelay({ batchSize: 40, publish: sinkPublish(order) });
    expect(await relay.drainOnce()).toBe(40);
    expect(order).toEqual(recorded);
  });

  it("refuses a lease no longer than the publish timeout", () => {
    expect(() => newRelay({ leaseMs: 100, publishTimeoutMs: 100, publish: sinkPublish([]) })).toThrow(
      "must be longer than the publish timeout",
    );
  });
});
