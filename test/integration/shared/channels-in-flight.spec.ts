import { connect, consumerOpts } from "nats";
import { channelStreamName, withChannels } from "../../../shared/channels";
import { cfg, deleteChannelStreams, startBroker } from "./harness";

const CHANNEL = "channels-spec.in-flight";
const GROUP = "channels-spec-in-flight";

/** The messages in flight the group's durable consumer allows, as JetStream has it now. */
async function maxAckPending(): Promise<number | undefined> {
  const nc = await connect({ servers: cfg.natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    return (await jsm.consumers.info(channelStreamName(cfg.namespace, CHANNEL), GROUP)).config
      .max_ack_pending;
  } finally {
    await nc.close();
  }
}

describe("a channel's messages in flight", () => {
  afterAll(() => deleteChannelStreams([CHANNEL]));

  it("are raised on a durable consumer an earlier version created with fewer", async () => {
    // As an earlier version left it: the stream and the group's consumer, 10 in flight.
    const nc = await connect({ servers: cfg.natsUrl });
    const stream = channelStreamName(cfg.namespace, CHANNEL);
    const subject = `${cfg.namespace}.${CHANNEL}`;
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [subject] });
      const earlier = consumerOpts();
      earlier.durable(GROUP);
      earlier.queue(stream);
      earlier.deliverTo(`earlier.${stream}`);
      earlier.manualAck();
      earlier.maxAckPending(10);
      earlier.callback(() => undefined);
      const sub = await nc.jetstream().subscribe(subject, earlier);
      sub.unsubscribe();
    } finally {
      await nc.close();
    }
    expect(await maxAckPending()).toBe(10);

    const service = withChannels({
      name: "channels-in-flight",
      channels: { [CHANNEL]: { group: GROUP, maxInFlight: 64, async handler() {} } },
    });
    const broker = await startBroker("channels-in-flight", [service]);
    try {
      expect(await maxAckPending()).toBe(64);
    } finally {
      await broker.stop();
    }
  });
});
