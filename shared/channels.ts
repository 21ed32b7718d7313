import { Middleware as createChannelsMiddleware } from "@moleculer/channels";
import type {
  Logger,
  Middleware,
  Service,
  ServiceBroker,
  ServiceSchema,
  ServiceSettingSchema,
} from "moleculer";
import { type JetStreamManager, type JsMsg, nanos } from "nats";
import type { AppConfig } from "./config/config";
import { assertChannelName, type EventEnvelope } from "./outbox/outbox";

/** How long a channel's stream keeps a message (acked or not) before dropping it. */
export const CHANNEL_STREAM_MAX_AGE_MS = 7 * 86_400_000;

/** Queue (prefixed with the namespace by the adapter) that receives messages out of retries. */
export const DEAD_LETTER_QUEUE = "DEAD_LETTER";

/** Redelivery delay after a failed delivery n: min(baseMs * 2^(n-1), capMs). */
export interface RetryDelay {
  baseMs: number;
  capMs: number;
}

/** One durable channel subscription in a service schema. */
export interface ChannelDef<TThis = Service> {
  /** Consumer group (a durable JetStream consumer); defaults to the service's full name. */
  group?: string;
  /** Deliveries in total before the message goes to the dead-letter queue. */
  maxRetries?: number;
  /** Unacked messages at once for the whole group (across pods); 1 keeps channel order. */
  maxInFlight?: number;
  retryDelay?: RetryDelay;
  deadLettering?: { enabled: boolean; queueName?: string };
  handler(this: TThis, payload: EventEnvelope, raw: JsMsg): Promise<void>;
}

/** The `channels:` block of a service schema. */
export type ChannelsSchema<TThis = Service> = Record<string, ChannelDef<TThis>>;

/** A service schema with a typed `channels:` block (Moleculer's types do not know the key). */
export type ChannelServiceSchema<
  TSettings = ServiceSettingSchema,
  // biome-ignore lint/suspicious/noExplicitAny: the same defaults as Moleculer's ServiceSchema
  TMethods = Record<string, any>,
  // biome-ignore lint/suspicious/noExplicitAny: the same defaults as Moleculer's ServiceSchema
  TVars = Record<string, any>,
> = ServiceSchema<TSettings, TMethods, TVars> & {
  channels?: ChannelsSchema<Service<TSettings> & TVars & TMethods>;
};

/** Type-checks a schema with channels and returns it as a plain Moleculer schema. */
export function withChannels<
  TSettings = ServiceSettingSchema,
  // biome-ignore lint/suspicious/noExplicitAny: the same defaults as Moleculer's ServiceSchema
  TMethods = Record<string, any>,
  // biome-ignore lint/suspicious/noExplicitAny: the same defaults as Moleculer's ServiceSchema
  TVars = Record<string, any>,
>(schema: ChannelServiceSchema<TSettings, TMethods, TVars>): ServiceSchema<TSettings, TMethods, TVars> {
  return schema;
}

/** Tuning of the channels middleware; every field has a production default. */
export interface ChannelsOptions {
  retryDelay?: RetryDelay;
  ackWaitMs?: number;
  maxInFlight?: number;
  streamMaxAgeMs?: number;
  streamMaxBytes?: number;
}

interface ChannelAdapter {
  connected: boolean;
  stopping?: boolean;
  addPrefixTopic(topic: string): string;
  createStream?(streamName: string, subjects: string[], streamOpts: object): Promise<unknown>;
  subscribe(chan: ChannelRuntime, svc: unknown): Promise<void>;
  /** The NATS adapter's JetStream manager, once connected. */
  manager?: JetStreamManager | null;
}

interface ChannelBroker {
  sendToChannel(channel: string, payload: unknown, opts?: { msgID?: string }): Promise<void>;
  channelAdapter?: ChannelAdapter;
}

type ChannelHandlerFn = (payload: unknown, raw: JsMsg) => Promise<void>;
interface ChannelRuntime {
  name: string;
  group: string;
  maxInFlight?: number;
  maxRetries?: number;
  retryDelay?: RetryDelay;
}

const readiness = new WeakMap<ServiceBroker, Promise<void>>();

/** The JetStream stream that stores a channel: `<prefix>.<channel>` with dots as underscores. */
export function channelStreamName(prefix: string, channel: string): string {
  return (prefix ? `${prefix}.${channel}` : channel).split(".").join("_");
}

/**
 * The @moleculer/channels middleware on NATS JetStream, plus: bounded streams,
 * dead-lettering, and redelivery backoff. The adapter redelivers a failed message
 * at once; our `localChannel` hook answers a failed delivery n (< maxRetries)
 * with `nak(min(base * 2^(n-1), cap))`, so JetStream redelivers it later without
 * a handler sleeping on it (the adapter's own plain `nak()` after that is ignored:
 * a JetStream message takes one final ack). The last delivery is left to the
 * adapter, which moves it to the dead-letter queue.
 */
export function channelsMiddleware(
  cfg: Pick<AppConfig, "natsUrl" | "channelMaxRetries" | "channelStreamMaxBytes">,
  opts: ChannelsOptions = {},
): Middleware {
  const retryDelay = opts.retryDelay ?? { baseMs: 1_000, capMs: 30_000 };
  const base = createChannelsMiddleware({
    adapter: {
      type: "NATS",
      options: {
        nats: {
          url: cfg.natsUrl,
          // Without it, every JetStream publish captures two stack traces in advance, for a timeout
          // that almost never comes (about 1.5% of the process's CPU at c=32).
          connectionOptions: { noAsyncTraces: true },
          // Limits retention keeps acked messages too: bound it by age and size (oldest dropped first).
          streamConfig: {
            max_age: nanos(opts.streamMaxAgeMs ?? CHANNEL_STREAM_MAX_AGE_MS),
            max_bytes: opts.streamMaxBytes ?? cfg.channelStreamMaxBytes,
            discard: "old",
          },
          // A group created after events were stored still gets them (the inbox absorbs replays).
          // These apply when the durable consumer is first created; an existing one keeps its config.
          consumerOptions: { config: { deliver_policy: "all", ack_wait: nanos(opts.ackWaitMs ?? 30_000) } },
        },
        maxRetries: cfg.channelMaxRetries,
        maxInFlight: opts.maxInFlight ?? 10,
        deadLettering: { enabled: true, queueName: DEAD_LETTER_QUEUE },
      },
    },
    // The package's typings mark every option required; these are the ones that matter.
  } as unknown as Parameters<typeof createChannelsMiddleware>[0]);

  let logger: Logger | undefined;
  let markReady: () => void = () => undefined;
  return {
    ...base,
    created(broker: ServiceBroker) {
      base.created(broker);
      logger = broker.getLogger("channels");
      readiness.set(broker, new Promise<void>((resolve) => (markReady = resolve)));
      const adapter = (broker as unknown as ChannelBroker).channelAdapter;
      if (adapter) {
        const subscribe = adapter.subscribe.bind(adapter);
        adapter.subscribe = async (chan, svc) => {
          await subscribe(chan, svc);
          await keepInFlight(adapter, chan, logger);
        };
      }
    },
    async started() {
      await base.started();
      markReady();
    },
    localChannel(next: ChannelHandlerFn, chan: ChannelRuntime): ChannelHandlerFn {
      return async (payload, raw) => {
        try {
          await next(payload, raw);
        } catch (err) {
          // The adapter drops handler errors silently; log them with the delivery count.
          const delivery = raw.info.deliveryCount;
          const maxRetries = chan.maxRetries ?? 0;
          const eventId = (payload as Partial<EventEnvelope> | null)?.eventId;
          logger?.warn(`Channel handler failed (delivery ${delivery}/${maxRetries})`, {
            channel: chan.name,
            group: chan.group,
            eventId,
            error: err instanceof Error ? err.message : String(err),
          });
          if (maxRetries > 0 && delivery < maxRetries) {
            const { baseMs, capMs } = chan.retryDelay ?? retryDelay;
            raw.nak(Math.min(capMs, baseMs * 2 ** (delivery - 1)));
          }
          throw err;
        }
      };
    },
  } as Middleware & { localChannel: unknown };
}

/**
 * JetStream applies a durable consumer's settings only when it creates it: a group created by an
 * earlier version keeps the `max_ack_pending` it had (10, say, where the code now asks for 64 to
 * let batches form). After subscribing, the consumer is updated to the channel's `maxInFlight`.
 * A failed update only costs batch size, so it is logged, not thrown.
 */
async function keepInFlight(adapter: ChannelAdapter, chan: ChannelRuntime, logger?: Logger): Promise<void> {
  const manager = adapter.manager;
  if (!manager || chan.maxInFlight === undefined) return;
  // The adapter's own names for the channel's stream and the group's durable consumer.
  const stream = chan.name.split(".").join("_");
  const durable = chan.group.split(".").join("_");
  try {
    const { config } = await manager.consumers.info(stream, durable);
    if (config.max_ack_pending !== chan.maxInFlight)
      await manager.consumers.update(stream, durable, { max_ack_pending: chan.maxInFlight });
  } catch (err) {
    logger?.warn(`Could not set ${durable}'s messages in flight to ${chan.maxInFlight}`, {
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

/**
 * Publishes an envelope to a durable channel. Waits until the channel adapter
 * is connected (it connects after services' `started`), refuses while it
 * stops (the adapter would drop the message silently), and sets the JetStream
 * message id to the eventId so the stream drops republishes within its duplicate
 * window (2 min); `deduplicate: false` skips that, e.g. to test consumers.
 */
export async function publishToChannel(
  broker: ServiceBroker,
  channel: string,
  envelope: EventEnvelope,
  opts: { deduplicate?: boolean } = {},
): Promise<void> {
  assertChannelName(channel);
  const ready = readiness.get(broker);
  if (!ready) throw new Error("channelsMiddleware is not installed on this broker");
  await ready;
  const channels = broker as unknown as ChannelBroker;
  if (channels.channelAdapter?.stopping)
    throw new Error(`Channel adapter is stopping; not publishing to ${channel}`);
  const send = () =>
    channels.sendToChannel(channel, envelope, opts.deduplicate === false ? {} : { msgID: envelope.eventId });
  try {
    await send();
  } catch (err) {
    // JetStream answers 503 when no stream holds the subject yet (nobody subscribed so far):
    // create the stream, so the event waits there for the consumers that subscribe later.
    const adapter = channels.channelAdapter;
    if ((err as { code?: string }).code !== "503" || !adapter?.createStream) throw err;
    const subject = adapter.addPrefixTopic(channel);
    await adapter.createStream(subject.split(".").join("_"), [subject], {});
    await send();
  }
}
