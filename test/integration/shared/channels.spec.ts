import { randomUUID } from "node:crypto";
import type { ServiceBroker } from "moleculer";
import type { Pool } from "pg";
import { DEAD_LETTER_QUEUE, publishToChannel, withChannels } from "../../../shared/channels";
import { consumeOnce } from "../../../shared/outbox/inbox";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import {
  cfg,
  count,
  deleteChannelStreams,
  openSchema,
  sleep,
  startBroker,
  streamMessages,
  waitFor,
  writeEffect,
} from "./harness";

const CH = {
  dup: "channels-spec.duplicated",
  dedupe: "channels-spec.deduplicated",
  poison: "channels-spec.poisoned",
};
const CONSUMER = "channels-spec-consumer";
const RETRY = { baseMs: 100, capMs: 1_000 };

const envelope = (name: string): EventEnvelope => ({
  eventId: randomUUID(),
  name,
  occurredAt: new Date().toISOString(),
  payload: { orderId: "o-1" },
});

describe("durable channels with the inbox", () => {
  let pool: Pool;
  let producer: ServiceBroker;
  let consumer: ServiceBroker;
  const applied: { eventId: string; processed: boolean }[] = [];
  const poisoned: { eventId: string; delivery: number; at: number }[] = [];
  const deliveriesOf = (eventId: string) => applied.filter((a) => a.eventId === eventId);
  const effects = (eventId: string) =>
    count(pool, "SELECT count(*) AS n FROM effect WHERE event_id = $1", [eventId]);

  beforeAll(async () => {
    ({ pool } = await openSchema("channels_test"));
    const applyOnce = async (env: EventEnvelope) => {
      const { processed } = await consumeOnce(pool, CONSUMER, env.eventId, (tx) =>
        writeEffect(tx, CONSUMER, env.eventId),
      );
      applied.push({ eventId: env.eventId, processed });
    };
    const service = withChannels({
      name: CONSUMER,
      channels: {
        [CH.dup]: { handler: applyOnce },
        [CH.dedupe]: { handler: applyOnce },
        [CH.poison]: {
          maxRetries: 3,
          async handler(env, raw) {
            poisoned.push({ eventId: env.eventId, delivery: raw.info.deliveryCount, at: Date.now() });
            throw new Error("cannot apply");
          },
        },
      },
    });
    consumer = await startBroker("channels-consumer", [service], { retryDelay: RETRY });
    producer = await startBroker("channels-producer");
  });

  afterAll(async () => {
    await producer?.stop();
    await consumer?.stop();
    await pool?.end();
    await deleteChannelStreams(Object.values(CH));
  });

  it("applies an event delivered five times exactly once", async () => {
    const env = envelope(CH.dup);
    for (let i = 0; i < 5; i++) await publishToChannel(producer, CH.dup, env, { deduplicate: false });

    await waitFor(async () => deliveriesOf(env.eventId).length === 5);
    expect(deliveriesOf(env.eventId).filter((d) => d.processed)).toHaveLength(1);
    expect(await effects(env.eventId)).toBe(1);
    expect(await count(pool, "SELECT count(*) AS n FROM inbox WHERE event_id = $1", [env.eventId])).toBe(1);
  });

  it("stores an event republished within the stream's duplicate window once", async () => {
    const env = envelope(CH.dedupe);
    for (let i = 0; i < 5; i++) await publishToChannel(producer, CH.dedupe, env);

    await waitFor(async () => deliveriesOf(env.eventId).length === 1);
    await sleep(200);
    const stored = (await streamMessages(CH.dedupe)).filter(
      (m) => m.json<EventEnvelope>().eventId === env.eventId,
    );
    expect(stored).toHaveLength(1);
    expect(deliveriesOf(env.eventId)).toEqual([{ eventId: env.eventId, processed: true }]);
  });

  it("blocks a concurrent duplicate on the inbox key until the first commits, then skips it", async () => {
    const eventId = randomUUID();
    const attempt = async () => {
      const result = await consumeOnce(pool, "race", eventId, async (tx) => {
        await writeEffect(tx, "race", eventId);
        await sleep(300);
        return "applied";
      });
      return { result, doneAt: Date.now() };
    };
    const startedAt = Date.now();
    const outcomes = await Promise.all([attempt(), attempt()]);

    const winner = outcomes.find((o) => o.result.processed);
    const loser = outcomes.find((o) => !o.result.processed);
    expect(winner?.result).toEqual({ processed: true, result: "applied" });
    expect(loser?.result).toEqual({ processed: false });
    // The duplicate could only answer after the winner's 300 ms transaction had committed.
    expect(loser!.doneAt - startedAt).toBeGreaterThanOrEqual(295);
    expect(await effects(eventId)).toBe(1);
  });

  it("applies the effect in the duplicate when the first delivery rolls back", async () => {
    const eventId = randomUUID();
    let holding: () => void = () => undefined;
    const keyHeld = new Promise<void>((r) => (holding = r));
    const first = consumeOnce(pool, "race", eventId, async (tx) => {
      await writeEffect(tx, "race", eventId);
      holding();
      await sleep(200);
      throw new Error("handler crashed");
    });
    await keyHeld;
    const second = consumeOnce(pool, "race", eventId, (tx) => writeEffect(tx, "race", eventId));

    await expect(first).rejects.toThrow("handler crashed");
    expect(await second).toEqual({ processed: true, result: undefined });
    expect(await effects(eventId)).toBe(1);
  });

  it("moves a message whose handler keeps failing to the dead-letter queue after maxRetries deliveries", async () => {
    const env = envelope(CH.poison);
    await publishToChannel(producer, CH.poison, env);

    const dead = await waitFor(async () =>
      (await streamMessages(DEAD_LETTER_QUEUE)).find((m) => m.json<EventEnvelope>().eventId === env.eventId),
    );
    expect(dead.json()).toEqual(env);
    expect(dead.header.get("x-original-channel")).toBe(`${cfg.namespace}.${CH.poison}`);
    expect(dead.header.get("x-original-group")).toBe(CONSUMER);

    await sleep(400);
    const tries = poisoned.filter((p) => p.eventId === env.eventId);
    expect(tries.map((t) => t.delivery)).toEqual([1, 2, 3]);
    // Redelivery waits base * 2^(n-1): 100 ms, then 200 ms (the adapter alone would redeliver at once).
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(95);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(195);
  });
});
