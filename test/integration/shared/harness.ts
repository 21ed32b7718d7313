import { randomBytes } from "node:crypto";
import path from "node:path";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import { connect, type StoredMsg } from "nats";
import type { Pool, PoolClient } from "pg";
import {
  type ChannelsOptions,
  channelStreamName,
  channelsMiddleware,
  DEAD_LETTER_QUEUE,
} from "../../../shared/channels";
import { loadConfig } from "../../../shared/config/config";
import { migrate } from "../../../shared/db/migrate";
import { createPool, schemaName } from "../../../shared/db/pool";
import { OUTBOX_INBOX_SQL } from "../../../shared/outbox/outbox.sql";

/** The run's configuration (namespace and schema prefix come from the Jest global setup). */
export const cfg = loadConfig();

// A state table for "the state change" and an effect table without a unique key, so a
// duplicate effect would show up as an extra row rather than as a constraint error.
const TEST_TABLES = [
  "CREATE TABLE IF NOT EXISTS widget (id text PRIMARY KEY, state text NOT NULL)",
  `CREATE TABLE IF NOT EXISTS effect (id bigserial PRIMARY KEY, consumer text NOT NULL, event_id text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
];

/** A pool on a fresh schema of this run, with the outbox, inbox and test tables. */
export async function openSchema(name: string): Promise<{ pool: Pool; schema: string }> {
  const schema = schemaName(cfg, name);
  const pool = createPool(cfg, schema);
  await migrate(pool, schema, path.join(__dirname, "no-migrations"), [...OUTBOX_INBOX_SQL, ...TEST_TABLES]);
  return { pool, schema };
}

/** Writes the test effect for an event; called inside consumeOnce's transaction. */
export async function writeEffect(tx: PoolClient, consumer: string, eventId: string): Promise<void> {
  await tx.query("INSERT INTO effect (consumer, event_id) VALUES ($1, $2)", [consumer, eventId]);
}

/** Runs a count query and returns the number. */
export async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** A started broker on the run's namespace over NATS, with the channels middleware. */
export async function startBroker(
  role: string,
  services: ServiceSchema[] = [],
  opts?: ChannelsOptions,
): Promise<ServiceBroker> {
  const broker = new ServiceBroker({
    namespace: cfg.namespace,
    nodeID: `${role}-${process.pid}-${randomBytes(3).toString("hex")}`,
    transporter: { type: "NATS", options: { url: cfg.natsUrl } },
    logger: false,
    middlewares: [channelsMiddleware(cfg, opts)],
  });
  for (const schema of services) broker.createService(schema);
  await broker.start();
  return broker;
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sleeps for `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Deletes the JetStream streams of the given channels (never the run's shared dead-letter stream). */
export async function deleteChannelStreams(channels: string[]): Promise<void> {
  const nc = await connect({ servers: cfg.natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    for (const ch of channels)
      await jsm.streams.delete(channelStreamName(cfg.namespace, ch)).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** Stored messages of a channel's stream (or the dead-letter stream) of this run. */
export async function streamMessages(channel: string = DEAD_LETTER_QUEUE): Promise<StoredMsg[]> {
  const nc = await connect({ servers: cfg.natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const stream = channelStreamName(cfg.namespace, channel);
    const info = await jsm.streams.info(stream).catch(() => undefined);
    const found: StoredMsg[] = [];
    if (!info || info.state.messages === 0) return found;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (msg) found.push(msg);
    }
    return found;
  } finally {
    await nc.close();
  }
}
