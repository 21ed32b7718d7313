import "./payment-env";
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { purgeOldNotices } from "../../../services/payment/commands/purge-notices";
import { NOTICE_PURGE_EVERY_MS } from "../../../services/payment/domain/notice-retention";
import type { PaymentService } from "../../../services/payment/payment.service";
import { purgeNotices } from "../../../services/payment/store/notice.repo";
import { config } from "../../../shared/config/config";
import { createRedis } from "../../../shared/redis";
import { timersPrefix } from "../../../shared/timers/timers";
import { buyer, count, signAs, usePaymentSystem } from "./payment-harness";

const DAY = 86_400_000;

describe("provider notification purge", () => {
  const sys = usePaymentSystem();
  const { call } = sys;
  const deps = () => (sys.broker.getLocalService("payment") as unknown as PaymentService).deps;
  const notices = (subjectNo: string) =>
    count(sys.pool, "SELECT count(*) AS n FROM provider_notifications WHERE subject_no = $1", [subjectNo]);
  const bodies = async (subjectNo: string): Promise<string[]> =>
    (
      await sys.pool.query(
        "SELECT raw_body FROM provider_notifications WHERE subject_no = $1 ORDER BY received_at",
        [subjectNo],
      )
    ).rows.map((r) => r.raw_body);
  /** Makes a payment's notifications look received at `at`. */
  const receivedAt = (subjectNo: string, at: Date) =>
    sys.pool.query("UPDATE provider_notifications SET received_at = $2 WHERE subject_no = $1", [
      subjectNo,
      at,
    ]);
  const succeededEvents = (paymentNo: string) =>
    count(
      sys.pool,
      "SELECT count(*) AS n FROM outbox WHERE channel = 'payment.succeeded' AND payload->>'paymentNo' = $1",
      [paymentNo],
    );

  /** A WECHAT payment that failed once, then succeeded: two notifications. */
  async function paidAfterFailure() {
    const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
    const parentOrderNo = sys.book.open(buyerId, 3_000);
    const p = await call("payment.create", { parentOrderNo, method: "WECHAT" }, buyer(buyerId));
    await call("payment.sandboxComplete", { providerPaymentNo: p.providerPaymentNo, result: "FAIL" });
    await call("payment.sandboxComplete", { providerPaymentNo: p.providerPaymentNo, result: "SUCCESS" });
    expect(await notices(p.paymentNo)).toBe(2);
    return p;
  }
  const replay = (rawBody: string) =>
    call("payment.callback", { provider: "wechat", rawBody, signature: signAs("WECHAT", rawBody) });

  it("keeps 30 days by default", () => {
    expect(config.paymentNoticeRetentionMs).toBe(30 * DAY);
    expect(deps().noticeRetentionMs).toBe(30 * DAY);
  });

  it("deletes only notifications older than the retention; a replay within it is still a duplicate", async () => {
    const now = new Date();
    const young = await paidAfterFailure();
    const old = await paidAfterFailure();
    const fresh = await paidAfterFailure();
    await receivedAt(young.paymentNo, new Date(now.getTime() - 30 * DAY + 60_000));
    await receivedAt(old.paymentNo, new Date(now.getTime() - 30 * DAY - 60_000));
    const oldBodies = await bodies(old.paymentNo);

    expect(await purgeOldNotices(deps(), now)).toBe(2);
    expect(await notices(old.paymentNo)).toBe(0);
    expect(await notices(young.paymentNo)).toBe(2);
    expect(await notices(fresh.paymentNo)).toBe(2);
    expect(await purgeOldNotices(deps(), now)).toBe(0);

    // A provider's replay of a notification still kept is recognised and changes nothing.
    for (const rawBody of await bodies(young.paymentNo)) {
      expect(await replay(rawBody)).toMatchObject({ duplicate: true, status: "SUCCEEDED" });
    }
    expect(await notices(young.paymentNo)).toBe(2);
    expect(await succeededEvents(young.paymentNo)).toBe(1);

    // Past the retention a replay is no longer recognised; the state table still keeps the money
    // right (a success on SUCCEEDED changes nothing), it is merely stored again.
    const [oldFail, oldSuccess] = oldBodies as [string, string];
    expect(await replay(oldSuccess)).toMatchObject({ duplicate: false, status: "SUCCEEDED" });
    expect(await replay(oldFail)).toMatchObject({ duplicate: false, status: "SUCCEEDED" });
    expect(await succeededEvents(old.paymentNo)).toBe(1);
    const { rows } = await sys.pool.query(
      "SELECT outcome FROM provider_notifications WHERE subject_no = $1 ORDER BY outcome",
      [old.paymentNo],
    );
    expect(rows).toEqual([{ outcome: "SUCCEEDED, unchanged" }, { outcome: "SUCCEEDED, unchanged" }]);
  });

  it("deletes a backlog in chunks", async () => {
    const cutoff = new Date(Date.now() - 40 * DAY);
    const subject = `purge-${randomUUID()}`;
    const insert = (n: number, ageDays: number) =>
      sys.pool.query(
        `INSERT INTO provider_notifications (provider, notification_id, kind, subject_no, result, amount_minor,
           source, raw_body, outcome, received_at)
         SELECT 'ALIPAY', $1 || '-' || i, 'PAYMENT', $1, 'SUCCESS', 100, 'CALLBACK', '{}', 'test', now() - $3 * interval '1 day'
         FROM generate_series(1, $2::int) AS i`,
        [`${subject}-${ageDays}`, n, ageDays],
      );
    await insert(7, 41);
    await insert(3, 39);
    const backlog = await count(
      sys.pool,
      "SELECT count(*) AS n FROM provider_notifications WHERE subject_no LIKE $1",
      [`${subject}-%`],
    );
    expect(backlog).toBe(10);
    expect(await purgeNotices(sys.pool, cutoff, 2)).toBe(7);
    expect(await notices(`${subject}-41`)).toBe(0);
    expect(await notices(`${subject}-39`)).toBe(3);
  });

  it("runs hourly as a sweeper of the payment service", async () => {
    const redis = createRedis(config);
    const queue = new Queue("payment-timers", { connection: redis, prefix: timersPrefix(config) });
    try {
      expect(await queue.getJobSchedulers()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ key: "sweep.payment-notice-purge", every: NOTICE_PURGE_EVERY_MS }),
        ]),
      );
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
