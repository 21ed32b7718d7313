import { randomInt, randomUUID } from "node:crypto";
import { connect } from "nats";
import type { NotificationService } from "../../services/notification/notification.service";
import { channelStreamName, publishToChannel } from "../../shared/channels";
import { loadConfig } from "../../shared/config/config";
import type { AfterSalesStepPayload } from "../../shared/contracts/order.contract";
import { type EventEnvelope, newEvent } from "../../shared/outbox/outbox";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem, waitFor } from "../support/system";

const cfg = loadConfig();
const API = "/api/v1";
const CHANNEL = "aftersales.appealed";
const GROUP = "notification-aftersales-appealed";

/** AFTER_SALES_APPEALED end to end: a real `aftersales.appealed` envelope on its channel, the inboxes over HTTP. */
describe("notification of an after-sales appeal", () => {
  let sys: TestSystem;
  let svc: NotificationService;

  afterAll(async () => {
    await sys?.stop();
  });

  const id = () => randomUUID().slice(0, 8);
  const orderNo = () =>
    `26${String(randomInt(10 ** 9)).padStart(9, "0")}${String(randomInt(10 ** 5)).padStart(5, "0")}`;

  /** Waits until the channel's consumer group has handled and acknowledged every stored message. */
  async function settled(): Promise<void> {
    const nc = await connect({ servers: cfg.natsUrl });
    try {
      const jsm = await nc.jetstreamManager();
      const stream = channelStreamName(cfg.namespace, CHANNEL);
      await waitFor(`${GROUP} to settle`, async () => {
        const info = await jsm.consumers.info(stream, GROUP);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    } finally {
      await nc.close();
    }
  }

  /** Publishes the envelope again past the stream's duplicate window, as a redelivery or a republish would. */
  const deliver = (envelope: EventEnvelope<AfterSalesStepPayload>) =>
    publishToChannel(sys.broker, CHANNEL, envelope, { deduplicate: false });

  const rows = async (sql: string, params: unknown[]) => (await svc.pool.query(sql, params)).rows;
  const messagesOf = (recipient: string, order: string) =>
    rows("SELECT * FROM messages WHERE recipient = $1 AND order_no = $2 ORDER BY created_at, id", [
      recipient,
      order,
    ]);
  const deliveriesOf = (eventId: string) =>
    rows(
      "SELECT recipient, channel, status FROM deliveries WHERE event_id = $1 ORDER BY recipient, channel",
      [eventId],
    );
  const pushesTo = (recipient: string, text: string) =>
    rows("SELECT * FROM sandbox_outbox WHERE recipient = $1 AND channel = 'APP_PUSH' AND text = $2", [
      recipient,
      text,
    ]);

  const buyer = `buyer-${id()}`;
  const shopId = `shop-${id()}`;
  const shop = `shop:${shopId}`;
  const payload: AfterSalesStepPayload = {
    afterSalesNo: `AS${id()}`,
    orderNo: orderNo(),
    parentOrderNo: orderNo(),
    buyerId: buyer,
    shopId,
    type: "REFUND_ONLY",
    status: "PENDING_REVIEW",
    refundMinor: 4990,
    reason: "商品有破损，商家拒绝不合理",
    at: new Date().toISOString(),
  };
  const text = `售后申请 ${payload.afterSalesNo}（订单 ${payload.orderNo}）被拒绝后，买家已申请平台介入，申诉理由：商品有破损，商家拒绝不合理。现由平台审核处理。`;
  const envelope = newEvent(CHANNEL, payload);

  beforeAll(async () => {
    sys = await startSystem(["notification", "gateway"]);
    svc = sys.broker.getLocalService("notification") as unknown as NotificationService;
    await deliver(envelope);
    await waitFor("the appeal's messages", async () => (await deliveriesOf(envelope.eventId)).length === 4);
    await waitFor("the appeal's pushes", async () =>
      (await deliveriesOf(envelope.eventId)).every((d) => d.status === "SENT"),
    );
    await settled();
  });

  it("tells the operators and the shop once each on IN_APP and APP_PUSH, and not the buyer", async () => {
    expect(await deliveriesOf(envelope.eventId)).toEqual([
      { recipient: "operators", channel: "APP_PUSH", status: "SENT" },
      { recipient: "operators", channel: "IN_APP", status: "SENT" },
      { recipient: shop, channel: "APP_PUSH", status: "SENT" },
      { recipient: shop, channel: "IN_APP", status: "SENT" },
    ]);
    for (const recipient of ["operators", shop]) {
      const messages = await messagesOf(recipient, payload.orderNo);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        node: "AFTER_SALES_APPEALED",
        title: "售后申诉待平台审核",
        text,
        read_at: null,
      });
      expect(await pushesTo(recipient, text)).toHaveLength(1);
    }
    expect(await messagesOf(buyer, payload.orderNo)).toHaveLength(0);
  });

  it("shows the message in the operators' inbox and the shop's over the API", async () => {
    const inbox = async (token: string) => {
      const res = await request(sys.baseUrl, "GET", `${API}/me/messages?limit=100`, { token });
      expect(res.status).toBe(200);
      return res.body.items.filter((m: { orderNo: string }) => m.orderNo === payload.orderNo);
    };
    const expected = [
      {
        id: expect.any(String),
        node: "AFTER_SALES_APPEALED",
        title: "售后申诉待平台审核",
        text,
        orderNo: payload.orderNo,
        createdAt: expect.any(String),
        readAt: null,
      },
    ];
    expect(await inbox(await devToken(sys.baseUrl, `ops-${id()}`, "admin"))).toEqual(expected);
    expect(await inbox(await devToken(sys.baseUrl, `merchant-${id()}`, "merchant", shopId))).toEqual(
      expected,
    );
    expect(await inbox(await devToken(sys.baseUrl, buyer, "buyer"))).toEqual([]);
  });

  it("adds nothing when the same event is delivered again", async () => {
    await deliver(envelope);
    await deliver(envelope);
    await settled();
    expect(await deliveriesOf(envelope.eventId)).toHaveLength(4);
    expect(await messagesOf("operators", payload.orderNo)).toHaveLength(1);
    expect(await messagesOf(shop, payload.orderNo)).toHaveLength(1);
    expect(await pushesTo("operators", text)).toHaveLength(1);
    expect(await pushesTo(shop, text)).toHaveLength(1);
  });
});
