import { randomInt, randomUUID } from "node:crypto";
import { connect } from "nats";
import { sweepDeliveries } from "../../services/notification/commands/deliver";
import { fireReminder, sweepReminders } from "../../services/notification/commands/reminders";
import { validateRule } from "../../services/notification/domain/rule";
import type { NotificationService } from "../../services/notification/notification.service";
import { recordSandboxSends } from "../../services/notification/store/sandbox-outbox.repo";
import { channelStreamName, publishToChannel } from "../../shared/channels";
import { loadConfig } from "../../shared/config/config";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import { newEvent } from "../../shared/outbox/outbox";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem, waitFor } from "../support/system";

const cfg = loadConfig();
const API = "/api/v1";

/** Notifications end to end: real envelopes on the channels, the inbox and the admin API over HTTP. */
describe("notifications", () => {
  let sys: TestSystem;
  let svc: NotificationService;
  let admin: string;

  beforeAll(async () => {
    sys = await startSystem(["notification", "gateway"]);
    svc = sys.broker.getLocalService("notification") as unknown as NotificationService;
    svc.settings.retryBaseMs = 50;
    admin = await devToken(sys.baseUrl, "ops-1", "admin");
  });
  afterAll(async () => {
    await sys?.stop();
  });

  const id = () => randomUUID().slice(0, 8);
  const orderNo = () =>
    `26${String(randomInt(10 ** 9)).padStart(9, "0")}${String(randomInt(10 ** 5)).padStart(5, "0")}`;
  const order = (buyerId: string, shopId: string) => ({
    orderNo: orderNo(),
    parentOrderNo: orderNo(),
    buyerId,
    shopId,
  });
  type Order = ReturnType<typeof order>;

  /** Publishes one envelope `times` times past the stream's duplicate window, as a redelivery would. */
  async function publish<T extends object>(
    channel: string,
    payload: T,
    times = 1,
  ): Promise<EventEnvelope<T>> {
    const envelope = newEvent(channel, payload);
    for (let i = 0; i < times; i++) {
      await publishToChannel(sys.broker, channel, envelope, { deduplicate: false });
    }
    return envelope;
  }

  /** Waits until the channel's consumer group has handled and acknowledged every stored message. */
  async function settled(channel: string, group: string): Promise<void> {
    const nc = await connect({ servers: cfg.natsUrl });
    try {
      const jsm = await nc.jetstreamManager();
      const stream = channelStreamName(cfg.namespace, channel);
      await waitFor(`${group} to settle`, async () => {
        const info = await jsm.consumers.info(stream, group);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    } finally {
      await nc.close();
    }
  }

  const rows = async (sql: string, params: unknown[]) => (await svc.pool.query(sql, params)).rows;
  const count = async (sql: string, params: unknown[]) =>
    Number((await svc.pool.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
  const messagesOf = (recipient: string, node?: string) =>
    rows(
      "SELECT * FROM messages WHERE recipient = $1 AND ($2::text IS NULL OR node = $2) ORDER BY created_at, id",
      [recipient, node ?? null],
    );
  const sandboxOf = (recipient: string, channel: string) =>
    rows("SELECT * FROM sandbox_outbox WHERE recipient = $1 AND channel = $2", [recipient, channel]);
  const deliveryOf = async (recipient: string, channel: string, eventId: string) =>
    (
      await rows("SELECT * FROM deliveries WHERE recipient = $1 AND channel = $2 AND event_id = $3", [
        recipient,
        channel,
        eventId,
      ])
    )[0];
  const until = (what: string, probe: () => Promise<boolean>, timeoutMs?: number) =>
    waitFor(what, probe, timeoutMs);

  const paid = (o: Order, paidMinor = 12345) => ({
    ...o,
    paymentNo: `P${id()}`,
    paidMinor,
    paidAt: new Date().toISOString(),
    address: {
      name: "李雷",
      phone: "13800138000",
      province: "浙江",
      city: "杭州",
      district: "西湖",
      detail: "文三路1号",
    },
    lines: [{ lineId: "L1", skuId: "SKU-1", quantity: 1, warehouseId: "WH-1" }],
  });
  const shipped = (o: Order, extra: Record<string, unknown> = {}) => ({
    ...o,
    status: "SHIPPED",
    at: new Date().toISOString(),
    autoConfirmAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
    packageId: `PKG-${id()}`,
    carrier: "SF",
    trackingNo: `SF${String(randomInt(10 ** 12)).padStart(12, "0")}`,
    ...extra,
  });
  const placed = (o: Order, paymentDeadline: Date, payableMinor = 12345) => ({
    ...o,
    payableMinor,
    paymentDeadline: paymentDeadline.toISOString(),
  });

  describe("the in-app inbox", () => {
    const shopId = `shop-${id()}`;
    const buyer = `buyer-${id()}`;
    const other = `buyer-${id()}`;
    const o = order(buyer, shopId);
    let envelope: EventEnvelope;

    beforeAll(async () => {
      envelope = await publish("order.paid", paid(o), 3);
      await until("the payment message", async () => (await messagesOf(buyer)).length > 0);
      await settled("order.paid", "notification-order-paid");
    });

    it("stores one message per recipient and channel when the same event arrives three times", async () => {
      const buyerMessages = await messagesOf(buyer);
      expect(buyerMessages).toHaveLength(1);
      expect(buyerMessages[0]).toMatchObject({
        node: "PAYMENT_SUCCEEDED",
        title: "订单已支付",
        text: `订单 ${o.orderNo} 已支付成功，实付 ¥123.45，等待商家发货。`,
        order_no: o.orderNo,
        read_at: null,
      });
      expect(await messagesOf(`shop:${shopId}`)).toHaveLength(1);
      const deliveries = await rows("SELECT recipient, channel, status FROM deliveries WHERE event_id = $1", [
        envelope.eventId,
      ]);
      expect(deliveries).toHaveLength(4);
      expect(deliveries.every((d) => d.status === "SENT")).toBe(true);
      expect(await sandboxOf(buyer, "APP_PUSH")).toHaveLength(1);
      expect(await sandboxOf(`shop:${shopId}`, "APP_PUSH")).toHaveLength(1);
    });

    it("lists, counts and marks read the caller's messages", async () => {
      const token = await devToken(sys.baseUrl, buyer, "buyer");
      const list = await request(sys.baseUrl, "GET", `${API}/me/messages`, { token });
      expect(list.status).toBe(200);
      expect(list.body).toEqual({
        items: [
          {
            id: expect.any(String),
            node: "PAYMENT_SUCCEEDED",
            title: "订单已支付",
            text: `订单 ${o.orderNo} 已支付成功，实付 ¥123.45，等待商家发货。`,
            orderNo: o.orderNo,
            createdAt: expect.any(String),
            readAt: null,
          },
        ],
        nextCursor: null,
      });
      const unread = () => request(sys.baseUrl, "GET", `${API}/me/messages/unread-count`, { token });
      expect((await unread()).body).toEqual({ count: 1 });

      const messageId = list.body.items[0].id;
      const read = await request(sys.baseUrl, "POST", `${API}/me/messages/${messageId}/read`, { token });
      expect(read.status).toBe(200);
      expect(read.body.readAt).toEqual(expect.any(String));
      const again = await request(sys.baseUrl, "POST", `${API}/me/messages/${messageId}/read`, { token });
      expect(again.status).toBe(200);
      expect(again.body.readAt).toBe(read.body.readAt);

      expect((await unread()).body).toEqual({ count: 0 });
      const unreadList = await request(sys.baseUrl, "GET", `${API}/me/messages?unread=true`, { token });
      expect(unreadList.body).toEqual({ items: [], nextCursor: null });
    });

    it("answers 404 to a buyer marking another buyer's message, and shows it nothing", async () => {
      const [message] = await messagesOf(buyer);
      const token = await devToken(sys.baseUrl, other, "buyer");
      const res = await request(sys.baseUrl, "POST", `${API}/me/messages/${message.id}/read`, { token });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("NOT_FOUND");
      const junk = await request(sys.baseUrl, "POST", `${API}/me/messages/not-an-id/read`, { token });
      expect(junk.status).toBe(404);
      const list = await request(sys.baseUrl, "GET", `${API}/me/messages`, { token });
      expect(list.body.items).toEqual([]);
    });

    it("shows a merchant its shop's messages and no other shop's", async () => {
      const mine = await devToken(sys.baseUrl, `merchant-${id()}`, "merchant", shopId);
      const list = await request(sys.baseUrl, "GET", `${API}/me/messages`, { token: mine });
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ node: "PAYMENT_SUCCEEDED", orderNo: o.orderNo });
      const elsewhere = await devToken(sys.baseUrl, `merchant-${id()}`, "merchant", `shop-${id()}`);
      const none = await request(sys.baseUrl, "GET", `${API}/me/messages`, { token: elsewhere });
      expect(none.body.items).toEqual([]);
    });

    it("pages the inbox newest first with an opaque cursor", async () => {
      const pager = `buyer-${id()}`;
      const orders = [order(pager, shopId), order(pager, shopId), order(pager, shopId)];
      for (const each of orders) await publish("order.paid", paid(each));
      await until("three messages", async () => (await messagesOf(pager)).length === 3);
      const token = await devToken(sys.baseUrl, pager, "buyer");
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
        const page = await request(sys.baseUrl, "GET", `${API}/me/messages${query}`, { token });
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((m: { orderNo: string }) => m.orderNo));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(2);
      expect(seen.sort()).toEqual(orders.map((each) => each.orderNo).sort());
      const bad = await request(sys.baseUrl, "GET", `${API}/me/messages?cursor=nonsense`, { token });
      expect(bad.status).toBe(422);
      expect(bad.body.error.details.field).toBe("cursor");
      const tooMany = await request(sys.baseUrl, "GET", `${API}/me/messages?limit=101`, { token });
      expect(tooMany.status).toBe(422);
    });
  });

  describe("channels", () => {
    it("records a shipment's SMS in the sandbox exactly once under redelivery", async () => {
      const buyer = `buyer-${id()}`;
      const o = order(buyer, `shop-${id()}`);
      const payload = shipped(o);
      const envelope = await publish("order.shipped", payload, 3);
      await until("the SMS", async () => (await sandboxOf(buyer, "SMS")).length > 0);
      await settled("order.shipped", "notification-order-shipped");
      const sms = await sandboxOf(buyer, "SMS");
      expect(sms).toHaveLength(1);
      expect(sms[0].text).toBe(`您的订单 ${o.orderNo} 已发货，顺丰速运 运单号 ${payload.trackingNo}。`);
      expect(await sandboxOf(buyer, "APP_PUSH")).toHaveLength(1);
      expect(await messagesOf(buyer, "SHIPPED")).toHaveLength(1);
      expect(await deliveryOf(buyer, "SMS", envelope.eventId)).toMatchObject({ status: "SENT", attempts: 1 });
    });

    it("retries a briefly failing channel with backoff until it is accepted", async () => {
      const buyer = `buyer-flaky-push-${id()}`;
      const envelope = await publish("order.paid", paid(order(buyer, `shop-${id()}`)));
      await until("the push to get through", async () => (await sandboxOf(buyer, "APP_PUSH")).length === 1);
      const delivery = await deliveryOf(buyer, "APP_PUSH", envelope.eventId);
      expect(delivery).toMatchObject({ status: "SENT", attempts: 3, last_error: null });
    });

    it("dead-letters a delivery that fails every attempt, lists it and redrives it", async () => {
      const buyer = `buyer-fail-sms-${id()}`;
      const o = order(buyer, `shop-${id()}`);
      const first = await publish("order.shipped", shipped(o));
      const second = await publish("order.shipped", shipped(o, { status: "SHIPPED" }));
      for (const e of [first, second]) {
        await until(
          "the SMS to die",
          async () => (await deliveryOf(buyer, "SMS", e.eventId))?.status === "DEAD",
          20_000,
        );
      }
      const dead = await deliveryOf(buyer, "SMS", first.eventId);
      expect(dead).toMatchObject({ attempts: 5, last_error: expect.stringContaining("refuses") });
      expect(await sandboxOf(buyer, "SMS")).toHaveLength(0);
      // The buyer's other channels were not held up by the failing one.
      expect(await messagesOf(buyer, "SHIPPED")).toHaveLength(2);
      expect(await sandboxOf(buyer, "APP_PUSH")).toHaveLength(2);

      const listed: { id: string; recipient: string; attempts: number; lastError: string }[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=1&cursor=${cursor}` : "?limit=1";
        const page = await request(sys.baseUrl, "GET", `${API}/admin/notifications/dead-letters${query}`, {
          token: admin,
        });
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(1);
        listed.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      const mine = listed.filter((d) => d.recipient === buyer);
      expect(mine.map((d) => d.id).sort()).toEqual(
        [dead.id, (await deliveryOf(buyer, "SMS", second.eventId)).id].sort(),
      );
      expect(new Set(listed.map((d) => d.id)).size).toBe(listed.length);
      expect(mine[0]).toMatchObject({ node: "SHIPPED", channel: "SMS", attempts: 5, orderNo: o.orderNo });

      const buyerToken = await devToken(sys.baseUrl, buyer, "buyer");
      const forbidden = await request(sys.baseUrl, "GET", `${API}/admin/notifications/dead-letters`, {
        token: buyerToken,
      });
      expect(forbidden.status).toBe(403);

      // The provider recovers: redrive sends it once more, now successfully.
      const sandboxSms = svc.deps.adapters.SMS;
      svc.deps.adapters.SMS = { send: (m) => recordSandboxSends(svc.pool, [{ ...m, sentAt: new Date() }]) };
      try {
        const redrive = await request(
          sys.baseUrl,
          "POST",
          `${API}/admin/notifications/dead-letters/${dead.id}/redrive`,
          { token: admin },
        );
        expect(redrive.status).toBe(200);
        expect(redrive.body).toMatchObject({ id: dead.id, status: "SENT", attempts: 1, deadAt: null });
        expect(await sandboxOf(buyer, "SMS")).toHaveLength(1);
        const twice = await request(
          sys.baseUrl,
          "POST",
          `${API}/admin/notifications/dead-letters/${dead.id}/redrive`,
          { token: admin },
        );
        expect(twice.status).toBe(409);
        expect(twice.body.error).toMatchObject({ code: "CONFLICT", details: { status: "SENT" } });
      } finally {
        svc.deps.adapters.SMS = sandboxSms;
      }
      const unknown = await request(
        sys.baseUrl,
        "POST",
        `${API}/admin/notifications/dead-letters/${randomUUID()}/redrive`,
        { token: admin },
      );
      expect(unknown.status).toBe(404);
      expect(await sandboxOf(buyer, "SMS")).toHaveLength(1);
    });
  });

  describe("the sweeper", () => {
    it("retries a delivery whose retry timer was lost, and one whose sender vanished mid-send", async () => {
      svc.settings.retryBaseMs = 60_000;
      try {
        const buyer = `buyer-flaky-push-${id()}`;
        const envelope = await publish("order.paid", paid(order(buyer, `shop-${id()}`)));
        await until("the first failure", async () => {
          return (await deliveryOf(buyer, "APP_PUSH", envelope.eventId))?.status === "FAILED";
        });
        const { id: deliveryId } = await deliveryOf(buyer, "APP_PUSH", envelope.eventId);
        // The timer is lost, and the minute passes.
        expect(await svc.timers.cancel("notify-retry", deliveryId)).toBe(true);
        const due = () =>
          svc.pool.query(
            "UPDATE deliveries SET next_attempt_at = now() - interval '1 second' WHERE id = $1",
            [deliveryId],
          );
        await due();
        await sweepDeliveries(svc.deps, new Date());
        expect(await deliveryOf(buyer, "APP_PUSH", envelope.eventId)).toMatchObject({
          status: "FAILED",
          attempts: 2,
        });
        // A sender claims the third attempt and dies before it sends.
        await svc.pool.query(
          "UPDATE deliveries SET status = 'SENDING', attempts = 3, claimed_at = now() - interval '2 minutes' WHERE id = $1",
          [deliveryId],
        );
        await sweepDeliveries(svc.deps, new Date());
        expect(await deliveryOf(buyer, "APP_PUSH", envelope.eventId)).toMatchObject({
          status: "SENT",
          attempts: 4,
        });
        expect(await sandboxOf(buyer, "APP_PUSH")).toHaveLength(1);
        await sweepDeliveries(svc.deps, new Date());
        expect(await sandboxOf(buyer, "APP_PUSH")).toHaveLength(1);
      } finally {
        svc.settings.retryBaseMs = 50;
      }
    });

    it("sends a reminder whose timer was lost", async () => {
      svc.settings.paymentReminderMs = 2_000;
      try {
        const buyer = `buyer-${id()}`;
        const o = order(buyer, `shop-${id()}`);
        await publish("order.placed", placed(o, new Date(Date.now() + 60_000)));
        await until("the reminder to be armed", () => svc.timers.isScheduled("payment-reminder", o.orderNo));
        expect(await svc.timers.cancel("payment-reminder", o.orderNo)).toBe(true);
        await sweepReminders(svc.deps, new Date());
        expect(await messagesOf(buyer, "PAYMENT_DUE_SOON")).toHaveLength(0);
        await sweepReminders(svc.deps, new Date(Date.now() + 58_500));
        expect(await messagesOf(buyer, "PAYMENT_DUE_SOON")).toHaveLength(1);
        await sweepReminders(svc.deps, new Date(Date.now() + 58_500));
        expect(await messagesOf(buyer, "PAYMENT_DUE_SOON")).toHaveLength(1);
      } finally {
        svc.settings.paymentReminderMs = loadConfig().notifyPaymentReminderMs;
      }
    });
  });

  describe("order flow nodes", () => {
    it("tells the buyer when the package is signed for, and nothing for other tracking steps", async () => {
      const buyer = `buyer-${id()}`;
      const o = order(buyer, `shop-${id()}`);
      await publish("order.placed", placed(o, new Date(Date.now() + 3_600_000)));
      await until("the placed message", async () => (await messagesOf(buyer, "ORDER_PLACED")).length === 1);
      const change = {
        packageId: `PKG-${id()}`,
        orderNo: o.orderNo,
        carrier: "JD",
        trackingNo: "JD1234567890123",
      };
      await publish("logistics.status-changed", {
        ...change,
        status: "IN_TRANSIT",
        at: new Date().toISOString(),
      });
      await publish("logistics.status-changed", {
        ...change,
        status: "SIGNED",
        at: new Date().toISOString(),
      });
      await until("the signed message", async () => (await messagesOf(buyer, "SIGNED")).length === 1);
      expect((await messagesOf(buyer)).map((m) => m.node)).toEqual(["ORDER_PLACED", "SIGNED"]);
      expect((await messagesOf(buyer, "SIGNED"))[0].text).toBe(
        `您的订单 ${o.orderNo} 已签收（京东物流 JD1234567890123），如有问题请及时联系商家。`,
      );
    });

    it("tells the shop of an after-sales request and the buyer and operators of its rejection", async () => {
      const buyer = `buyer-${id()}`;
      const shopId = `shop-${id()}`;
      const o = order(buyer, shopId);
      const step = {
        ...o,
        afterSalesNo: `AS${id()}`,
        type: "REFUND_ONLY",
        status: "REQUESTED",
        refundMinor: 4990,
        reason: "尺码不合适",
        at: new Date().toISOString(),
      };
      await publish("aftersales.created", step);
      await publish("aftersales.rejected", { ...step, status: "REJECTED", reason: "商品已使用" });
      await until(
        "the rejection",
        async () => (await messagesOf(buyer, "AFTER_SALES_REJECTED")).length === 1,
      );
      const [created] = await messagesOf(`shop:${shopId}`, "AFTER_SALES_CREATED");
      expect(created?.text).toBe(
        `订单 ${o.orderNo} 有新的售后申请 ${step.afterSalesNo}，申请退款 ¥49.90，原因：尺码不合适。请及时处理。`,
      );
      expect(await messagesOf(buyer, "AFTER_SALES_CREATED")).toHaveLength(0);
      const operators = await request(sys.baseUrl, "GET", `${API}/me/messages?limit=100`, { token: admin });
      expect(
        operators.body.items.map((m: { orderNo: string; node: string }) => `${m.orderNo}/${m.node}`),
      ).toContain(`${o.orderNo}/AFTER_SALES_REJECTED`);
    });

    it("tells the shop and the operators, not the buyer, once when the ship-by deadline passed", async () => {
      const buyer = `buyer-${id()}`;
      const shopId = `shop-${id()}`;
      const o = order(buyer, shopId);
      const shipBy = "2026-11-28T02:10:00.000Z";
      const envelope = await publish(
        "order.ship-overdue",
        { ...o, status: "PAID", shipBy, at: new Date().toISOString() },
        2,
      );
      await until(
        "the overdue message",
        async () => (await messagesOf(`shop:${shopId}`, "SHIP_OVERDUE")).length > 0,
      );
      await settled("order.ship-overdue", "notification-ship-overdue");

      const text = `订单 ${o.orderNo} 应于 2026-11-28 10:10 前发货，现已超时未发货，请尽快处理。`;
      const shop = await messagesOf(`shop:${shopId}`, "SHIP_OVERDUE");
      expect(shop).toHaveLength(1);
      expect(shop[0]).toMatchObject({ title: "订单超时未发货", text, order_no: o.orderNo });
      const operators = await rows("SELECT * FROM messages WHERE recipient = $1 AND order_no = $2", [
        "operators",
        o.orderNo,
      ]);
      expect(operators).toHaveLength(1);
      expect(operators[0]).toMatchObject({ node: "SHIP_OVERDUE", text });
      expect(await messagesOf(buyer)).toHaveLength(0);

      const deliveries = await rows(
        "SELECT recipient, channel, status FROM deliveries WHERE event_id = $1 ORDER BY recipient, channel",
        [envelope.eventId],
      );
      expect(deliveries.map((d) => `${d.recipient}/${d.channel}/${d.status}`)).toEqual([
        "operators/APP_PUSH/SENT",
        "operators/IN_APP/SENT",
        `shop:${shopId}/APP_PUSH/SENT`,
        `shop:${shopId}/IN_APP/SENT`,
      ]);
      expect(await sandboxOf(`shop:${shopId}`, "APP_PUSH")).toHaveLength(1);
      const [facts] = await rows("SELECT buyer_id, shop_id FROM order_facts WHERE order_no = $1", [
        o.orderNo,
      ]);
      expect(facts).toEqual({ buyer_id: buyer, shop_id: shopId });
    });
  });

  describe("reminders", () => {
    const LEAD_MS = 2_000;
    beforeAll(() => {
      svc.settings.paymentReminderMs = LEAD_MS;
      svc.settings.autoConfirmReminderMs = LEAD_MS;
    });

    it("reminds an unpaid buyer before the payment deadline, once, and not one who paid", async () => {
      const unpaidBuyer = `buyer-${id()}`;
      const paidBuyer = `buyer-${id()}`;
      const unpaid = order(unpaidBuyer, `shop-${id()}`);
      const paidOrder = order(paidBuyer, `shop-${id()}`);
      const deadline = new Date(Date.now() + 3_500);
      await publish("order.placed", placed(unpaid, deadline, 990));
      await publish("order.placed", placed(paidOrder, deadline));
      await until(
        "the placed message",
        async () => (await messagesOf(paidBuyer, "ORDER_PLACED")).length === 1,
      );
      await publish("order.paid", paid(paidOrder));
      await until(
        "the paid message",
        async () => (await messagesOf(paidBuyer, "PAYMENT_SUCCEEDED")).length === 1,
      );

      await until(
        "the reminder",
        async () => (await messagesOf(unpaidBuyer, "PAYMENT_DUE_SOON")).length === 1,
      );
      const [reminder] = await messagesOf(unpaidBuyer, "PAYMENT_DUE_SOON");
      expect(reminder.text).toContain(`订单 ${unpaid.orderNo} 待支付 ¥9.90`);
      expect(await sandboxOf(unpaidBuyer, "APP_PUSH")).toHaveLength(1);

      // The timer firing again (or the sweeper after it) sends nothing more.
      await fireReminder(svc.deps, "payment-reminder", unpaid.orderNo);
      expect(await messagesOf(unpaidBuyer, "PAYMENT_DUE_SOON")).toHaveLength(1);
      expect(
        await count("SELECT count(*) AS n FROM deliveries WHERE event_id = $1", [
          `payment-reminder:${unpaid.orderNo}`,
        ]),
      ).toBe(2);

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline.getTime() - Date.now())));
      expect(await messagesOf(paidBuyer, "PAYMENT_DUE_SOON")).toHaveLength(0);
    });

    it("arms no payment reminder when the deadline is nearer than the lead time", async () => {
      const buyer = `buyer-${id()}`;
      const o = order(buyer, `shop-${id()}`);
      await publish("order.placed", placed(o, new Date(Date.now() + 1_000)));
      await until("the placed message", async () => (await messagesOf(buyer, "ORDER_PLACED")).length === 1);
      const [facts] = await rows("SELECT payment_remind_at FROM order_facts WHERE order_no = $1", [
        o.orderNo,
      ]);
      expect(facts.payment_remind_at).toBeNull();
    });

    it("reminds a buyer before auto-confirm unless receipt was confirmed", async () => {
      const waiting = order(`buyer-${id()}`, `shop-${id()}`);
      const confirmed = order(`buyer-${id()}`, `shop-${id()}`);
      const autoConfirmAt = new Date(Date.now() + 3_500).toISOString();
      await publish("order.shipped", shipped(waiting, { autoConfirmAt }));
      await publish("order.shipped", shipped(confirmed, { autoConfirmAt }));
      await until(
        "the shipped message",
        async () => (await messagesOf(confirmed.buyerId, "SHIPPED")).length === 1,
      );
      await publish("order.completed", { ...confirmed, status: "COMPLETED", at: new Date().toISOString() });
      await until(
        "the review invitation",
        async () => (await messagesOf(confirmed.buyerId, "COMPLETED")).length === 1,
      );

      await until(
        "the reminder",
        async () => (await messagesOf(waiting.buyerId, "AUTO_CONFIRM_SOON")).length === 1,
      );
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, Date.parse(autoConfirmAt) - Date.now())),
      );
      expect(await messagesOf(confirmed.buyerId, "AUTO_CONFIRM_SOON")).toHaveLength(0);
      expect(await sandboxOf(confirmed.buyerId, "WECHAT_TEMPLATE")).toHaveLength(1);
    });
  });

  describe("rules", () => {
    const rulePath = (node: string) => `${API}/admin/notification-rules/${node}`;

    it("lists every node's rule, and every default template fits its node", async () => {
      const res = await request(sys.baseUrl, "GET", `${API}/admin/notification-rules`, { token: admin });
      expect(res.status).toBe(200);
      expect(res.body.items.map((r: { node: string }) => r.node)).toEqual([
        "ORDER_PLACED",
        "PAYMENT_SUCCEEDED",
        "PAYMENT_DUE_SOON",
        "SHIP_OVERDUE",
        "SHIPPED",
        "SIGNED",
        "AUTO_CONFIRM_SOON",
        "COMPLETED",
        "AFTER_SALES_CREATED",
        "AFTER_SALES_APPROVED",
        "AFTER_SALES_REJECTED",
        "AFTER_SALES_APPEALED",
        "AFTER_SALES_APPEAL_REJECTED",
        "AFTER_SALES_REFUNDED",
        "RECONCILIATION_MISMATCHED",
        "STOCK_DRIFTED",
        "STOCK_DRIFT_CLEARED",
      ]);
      for (const rule of res.body.items) expect(() => validateRule(rule.node, rule)).not.toThrow();
      const one = await request(sys.baseUrl, "GET", rulePath("SHIPPED"), { token: admin });
      expect(one.body).toMatchObject({
        node: "SHIPPED",
        recipients: ["BUYER"],
        channels: ["IN_APP", "APP_PUSH", "SMS"],
        placeholders: ["orderNo", "carrier", "trackingNo"],
        enabled: true,
      });
    });

    it("refuses invalid rules naming the field, and non-operators", async () => {
      const body = { recipients: ["BUYER"], channels: ["IN_APP"], template: "订单 {orderNo} 已发货" };
      const put = (node: string, b: object, token = admin) =>
        request(sys.baseUrl, "PUT", rulePath(node), { token, body: b });

      const unknown = await put("ORDER_EXPLODED", body);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ code: "NOT_FOUND", details: { node: "ORDER_EXPLODED" } });
      expect((await request(sys.baseUrl, "GET", rulePath("ORDER_EXPLODED"), { token: admin })).status).toBe(
        404,
      );

      const channel = await put("SHIPPED", { ...body, channels: ["IN_APP", "EMAIL"] });
      expect(channel.status).toBe(422);
      expect(channel.body.error).toMatchObject({
        code: "VALIDATION_FAILED",
        details: { field: "channels", value: "EMAIL" },
      });

      const recipient = await put("SHIPPED", { ...body, recipients: ["COURIER"] });
      expect(recipient.status).toBe(422);
      expect(recipient.body.error.details).toMatchObject({ field: "recipients", value: "COURIER" });

      const placeholder = await put("SHIPPED", { ...body, template: "订单 {orderNo} 实付 {amount}" });
      expect(placeholder.status).toBe(422);
      expect(placeholder.body.error).toMatchObject({
        code: "VALIDATION_FAILED",
        details: { field: "template", placeholder: "amount" },
      });

      const missing = await put("SHIPPED", { recipients: ["BUYER"], channels: ["IN_APP"] });
      expect(missing.status).toBe(422);
      expect(missing.body.error.details.field).toBe("template");

      const merchant = await devToken(sys.baseUrl, `merchant-${id()}`, "merchant", `shop-${id()}`);
      expect((await put("SHIPPED", body, merchant)).status).toBe(403);
      const stored = await request(sys.baseUrl, "GET", rulePath("SHIPPED"), { token: admin });
      expect(stored.body.channels).toEqual(["IN_APP", "APP_PUSH", "SMS"]);
    });

    it("uses an edited template and channels for the next event", async () => {
      const before = (await request(sys.baseUrl, "GET", rulePath("SHIPPED"), { token: admin })).body;
      const edited = {
        recipients: ["BUYER", "MERCHANT"],
        channels: ["IN_APP"],
        template: "Order {orderNo}: {carrier} picked it up ({trackingNo})",
      };
      const res = await request(sys.baseUrl, "PUT", rulePath("SHIPPED"), { token: admin, body: edited });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ node: "SHIPPED", ...edited, enabled: true });
      try {
        const buyer = `buyer-${id()}`;
        const shopId = `shop-${id()}`;
        const o = order(buyer, shopId);
        const payload = shipped(o, { carrier: "YTO", trackingNo: "YT1234567890123" });
        await publish("order.shipped", payload);
        await until(
          "the edited message",
          async () => (await messagesOf(`shop:${shopId}`, "SHIPPED")).length === 1,
        );
        const [message] = await messagesOf(buyer, "SHIPPED");
        expect(message.text).toBe(`Order ${o.orderNo}: 圆通速递 picked it up (YT1234567890123)`);
        expect(await sandboxOf(buyer, "SMS")).toHaveLength(0);
      } finally {
        const { recipients, channels, template } = before;
        await request(sys.baseUrl, "PUT", rulePath("SHIPPED"), {
          token: admin,
          body: { recipients, channels, template },
        });
      }
    });
  });
});
