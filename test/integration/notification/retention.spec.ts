import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { purgeOldNotifications } from "../../../services/notification/commands/purge";
import {
  MIN_NOTIFICATION_RETENTION_MS,
  NOTIFICATION_PURGE_EVERY_MS,
  notificationRetentionMs,
} from "../../../services/notification/domain/retention";
import type { NotificationService } from "../../../services/notification/notification.service";
import { purgeNotifications } from "../../../services/notification/store/retention.repo";
import { config } from "../../../shared/config/config";
import { createRedis } from "../../../shared/redis";
import { timersPrefix } from "../../../shared/timers/timers";
import { startSystem, type TestSystem } from "../../support/system";

const DAY = 86_400_000;

describe("notification retention", () => {
  let system: TestSystem;
  let svc: NotificationService;
  const now = new Date();
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
  const tag = randomUUID().slice(0, 8);

  beforeAll(async () => {
    system = await startSystem(["notification"]);
    svc = system.broker.getLocalService("notification") as unknown as NotificationService;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const query = (sql: string, params: unknown[] = []) => svc.pool.query(sql, params);

  /** A delivery to `recipient` on `channel`, created `age` days ago; answers its id. */
  async function delivery(recipient: string, channel: string, status: string, age: number): Promise<string> {
    const { rows } = await query(
      `INSERT INTO deliveries (event_id, node, recipient, channel, title, text, status, created_at)
       VALUES ($1, 'SHIPPED', $2, $3, 'title', 'text', $4, $5) RETURNING id`,
      [randomUUID(), `${tag}-${recipient}`, channel, status, daysAgo(age)],
    );
    return rows[0].id;
  }
  /** An IN_APP delivery with its inbox message, the message `messageAge` days old. */
  async function inApp(recipient: string, age: number, messageAge = age): Promise<void> {
    const id = await delivery(recipient, "IN_APP", "SENT", age);
    await query(
      `INSERT INTO messages (delivery_id, recipient, node, title, text, created_at)
       VALUES ($1, $2, 'SHIPPED', 'title', 'text', $3)`,
      [id, `${tag}-${recipient}`, daysAgo(messageAge)],
    );
  }
  const sandboxSent = (recipient: string, age: number) =>
    query(
      `INSERT INTO sandbox_outbox (delivery_id, channel, recipient, text, sent_at)
       VALUES ($1, 'SMS', $2, 'text', $3)`,
      [randomUUID(), `${tag}-${recipient}`, daysAgo(age)],
    );
  const facts = (orderNo: string, ended: { completed?: number; closed?: number }) =>
    query("INSERT INTO order_facts (order_no, buyer_id, completed_at, closed_at) VALUES ($1, 'b', $2, $3)", [
      `${tag}-${orderNo}`,
      ended.completed === undefined ? null : daysAgo(ended.completed),
      ended.closed === undefined ? null : daysAgo(ended.closed),
    ]);

  /** What is left of this test's rows: recipients (or order numbers) per table, sorted. */
  async function left() {
    const of = async (sql: string) =>
      (await query(sql, [`${tag}-%`])).rows.map((r) => String(r.k).slice(tag.length + 1)).sort();
    return {
      messages: await of("SELECT recipient AS k FROM messages WHERE recipient LIKE $1"),
      deliveries: await of("SELECT recipient || ':' || channel AS k FROM deliveries WHERE recipient LIKE $1"),
      sandboxOutbox: await of("SELECT recipient AS k FROM sandbox_outbox WHERE recipient LIKE $1"),
      orderFacts: await of("SELECT order_no AS k FROM order_facts WHERE order_no LIKE $1"),
    };
  }

  it("keeps 180 days by default and never less than 30", () => {
    expect(config.notificationRetentionMs).toBe(180 * DAY);
    expect(svc.settings.retentionMs).toBe(180 * DAY);
    expect(notificationRetentionMs(DAY)).toBe(MIN_NOTIFICATION_RETENTION_MS);
    expect(MIN_NOTIFICATION_RETENTION_MS).toBe(30 * DAY);
  });

  it("deletes what is past the retention, and never a delivery still due, a message's delivery, or an order in flight", async () => {
    await inApp("old-in-app", 200);
    await inApp("young-in-app", 100);
    await inApp("old-delivery-young-message", 200, 100);
    await delivery("old-sms", "SMS", "SENT", 200);
    await delivery("old-dead", "SMS", "DEAD", 200);
    await delivery("old-failed", "SMS", "FAILED", 200);
    await delivery("old-pending", "SMS", "PENDING", 200);
    await delivery("young-sms", "SMS", "SENT", 179);
    await sandboxSent("old-sms", 200);
    await sandboxSent("young-sms", 179);
    await facts("completed-long-ago", { completed: 200 });
    await facts("closed-long-ago", { closed: 181 });
    await facts("completed-lately", { completed: 100 });
    await facts("in-flight", {});

    expect(await purgeOldNotifications(svc.deps, now)).toEqual({
      messages: 1,
      deliveries: 3,
      sandboxOutbox: 1,
      orderFacts: 2,
    });
    expect(await left()).toEqual({
      messages: ["old-delivery-young-message", "young-in-app"],
      deliveries: [
        "old-delivery-young-message:IN_APP",
        "old-failed:SMS",
        "old-pending:SMS",
        "young-in-app:IN_APP",
        "young-sms:SMS",
      ],
      sandboxOutbox: ["young-sms"],
      orderFacts: ["completed-lately", "in-flight"],
    });
    // Again: nothing more to do.
    expect(await purgeOldNotifications(svc.deps, now)).toEqual({
      messages: 0,
      deliveries: 0,
      sandboxOutbox: 0,
      orderFacts: 0,
    });
  });

  it("deletes a backlog in chunks", async () => {
    for (let i = 0; i < 5; i++) await inApp(`backlog-${i}`, 400);
    expect(await purgeNotifications(svc.pool, daysAgo(300), 2)).toEqual({
      messages: 5,
      deliveries: 5,
      sandboxOutbox: 0,
      orderFacts: 0,
    });
    const { messages, deliveries } = await left();
    expect([...messages, ...deliveries].filter((r) => r.startsWith("backlog"))).toEqual([]);
  });

  it("runs hourly as a sweeper of the notification service", async () => {
    const redis = createRedis(config);
    const queue = new Queue("notification-timers", { connection: redis, prefix: timersPrefix(config) });
    try {
      expect(await queue.getJobSchedulers()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ key: "sweep.notification-purge", every: NOTIFICATION_PURGE_EVERY_MS }),
        ]),
      );
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
