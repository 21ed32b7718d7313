import "./payment-env";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { PoolClient } from "pg";
import { openedAttempt } from "../../../services/payment/domain/payment";
import { noticeRow } from "../../../services/payment/store/notice.repo";
import { type FirstAttempt, insertFirstAttempt } from "../../../services/payment/store/payment.repo";
import {
  type NoticedTransition,
  saveNoticedTransition,
} from "../../../services/payment/store/payment-transition.repo";
import { completeSandboxPayment, openSandboxPayment } from "../../../services/payment/store/sandbox.repo";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { buyer, count, providerDocument, signAs, usePaymentSystem } from "./payment-harness";

/** The PostgreSQL statements of one payment creation and one callback, and what they still guarantee. */
describe("payment database round trips", () => {
  const sys = usePaymentSystem();
  const { call } = sys;

  /** The statements sent on behalf of the measured work, and a hook that may hold one back. */
  interface Recording {
    sql: string[];
    /** Called before a pool statement (not one inside a transaction) is sent; it waits for the promise returned. */
    before?: (sql: string) => Promise<void> | undefined;
  }
  // The query sweep (every 250 ms here) and the outbox relay share the pool: only statements sent
  // from the work's own async context count.
  const recording = new AsyncLocalStorage<Recording>();
  const wrapped = new WeakSet<PoolClient>();

  async function statementsOf<T>(work: () => Promise<T>, before?: Recording["before"]) {
    const rec: Recording = { sql: [], before };
    const result = await recording.run(rec, work);
    return { sql: rec.sql, result };
  }

  const READ_ATTEMPTS = /^SELECT c\.parent_order_no AS checkout_no, c\.version, p\.payment_no, /;
  const OPEN_AT_SANDBOX = /^WITH a AS \( .* opened AS \( INSERT INTO sandbox_payments /;
  const FIRST_ATTEMPT =
    /^WITH a AS \( SELECT \* FROM jsonb_to_recordset\(\$1::jsonb\) AS a\(payment_no text, .* checkout AS \( INSERT INTO checkouts /;
  const DECIDE_ATTEMPT =
    /^WITH guard AS \( UPDATE checkouts SET version = version \+ 1 WHERE parent_order_no = \$2 /;
  const COMPLETE_AT_SANDBOX = /^WITH a AS \( .* completed AS \( UPDATE sandbox_payments /;
  const READ_PAYMENT = /^SELECT p\.payment_no, .* c\.version, /;
  const WRITE_TRANSITION =
    /^WITH a AS \( SELECT \* FROM jsonb_to_recordset\(\$1::jsonb\) AS a\(ord int, .* guard AS \( UPDATE checkouts c SET version = c\.version \+ 1 /;
  const WRITE_UNCHANGED = /^WITH guard AS \( SELECT 1 FROM checkouts .* FOR SHARE \), notice AS \(INSERT /;
  const shapes = (...patterns: RegExp[]) => patterns.map((p) => expect.stringMatching(p));

  const statusOf = async (paymentNo: string) =>
    (await sys.pool.query("SELECT status FROM payments WHERE payment_no = $1", [paymentNo])).rows[0]?.status;
  const succeededEvents = (paymentNo: string) =>
    count(
      sys.pool,
      "SELECT count(*) AS n FROM outbox WHERE channel = 'payment.succeeded' AND payload->>'paymentNo' = $1",
      [paymentNo],
    );

  function checkout(amountMinor = 12_345) {
    const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
    const parentOrderNo = sys.book.open(buyerId, amountMinor);
    const pay = (method: PaymentMethod) => call("payment.create", { parentOrderNo, method }, buyer(buyerId));
    return { parentOrderNo, pay };
  }
  const success = (p: { paymentNo: string; providerPaymentNo: string; method: PaymentMethod }) =>
    providerDocument(p.method, {
      kind: "PAYMENT",
      paymentNo: p.paymentNo,
      providerPaymentNo: p.providerPaymentNo,
      result: "SUCCESS",
      amountMinor: 12_345,
      occurredAt: new Date().toISOString(),
    });
  const callback = (method: PaymentMethod, doc: { rawBody: string; signature: string }) =>
    call("payment.callback", { provider: method.toLowerCase(), ...doc });

  beforeAll(async () => {
    sys.pool.on("acquire", (client: PoolClient) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((text: unknown, ...rest: unknown[]) => {
        const rec = recording.getStore();
        const sql = (typeof text === "string" ? text : (text as { text: string }).text).replace(/\s+/g, " ");
        rec?.sql.push(sql.trim());
        const held = typeof rest.at(-1) === "function" ? rec?.before?.(sql.trim()) : undefined;
        if (!held) return query(text, ...rest);
        held.then(() => query(text, ...rest));
        return undefined;
      }) as PoolClient["query"];
    });
    // Warm up: the service's connections and the sandbox.
    const c = checkout();
    const p = await c.pay("WECHAT");
    await callback("WECHAT", success(p));
  });

  it("opens a checkout's first attempt in three statements: the read, the provider's record, the attempt", async () => {
    const c = checkout();
    const { sql, result } = await statementsOf(() => c.pay("WECHAT"));
    expect(sql).toEqual(shapes(READ_ATTEMPTS, OPEN_AT_SANDBOX, FIRST_ATTEMPT));
    expect(result).toMatchObject({ status: "PENDING", amountMinor: 12_345 });
  });

  it("reads the attempts of checkouts paid together, and reads and writes the payments of callbacks arriving together, in one statement each", async () => {
    const [a, b] = [checkout(), checkout()];
    const opened = await statementsOf(() => Promise.all([a.pay("WECHAT"), b.pay("ALIPAY")]));
    expect(opened.sql.filter((q) => READ_ATTEMPTS.test(q))).toHaveLength(1);
    const [pa, pb] = opened.result as Awaited<ReturnType<typeof a.pay>>[];
    expect([pa.parentOrderNo, pb.parentOrderNo]).toEqual([a.parentOrderNo, b.parentOrderNo]);
    expect([pa.status, pb.status]).toEqual(["PENDING", "PENDING"]);

    const paid = await statementsOf(() =>
      Promise.all([callback("WECHAT", success(pa)), callback("ALIPAY", success(pb))]),
    );
    expect(paid.sql.filter((q) => READ_PAYMENT.test(q))).toHaveLength(1);
    expect(paid.sql.filter((q) => WRITE_TRANSITION.test(q))).toHaveLength(1);
    expect(paid.result).toMatchObject([{ status: "SUCCEEDED" }, { status: "SUCCEEDED" }]);
    expect([await statusOf(pa.paymentNo), await statusOf(pb.paymentNo)]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  it("writes the first attempts of checkouts asked for together in one statement; a second of one checkout alone after", async () => {
    const [a, b] = [checkout(), checkout()];
    const attempt = (parentOrderNo: string): FirstAttempt => {
      const paymentNo = `spec-${randomUUID()}`;
      const now = new Date();
      return {
        payment: openedAttempt(
          {
            paymentNo,
            parentOrderNo,
            buyerId: "spec-buyer",
            method: "WECHAT",
            providerPaymentNo: `wx-${paymentNo}`,
            payUrl: "https://sandbox.invalid/pay",
            amountMinor: 12_345,
          },
          now,
        ),
        nextQueryAt: now,
      };
    };
    const attempts = [attempt(a.parentOrderNo), attempt(b.parentOrderNo), attempt(a.parentOrderNo)];
    const { sql, result } = await statementsOf(() =>
      Promise.all(attempts.map((item) => insertFirstAttempt(sys.pool, item))),
    );
    expect(sql).toEqual(shapes(FIRST_ATTEMPT, FIRST_ATTEMPT));
    // The second attempt of checkout a finds its row: its caller decides under the checkout's lock.
    expect(result).toEqual([true, true, false]);
    const statuses = await Promise.all(attempts.map(({ payment }) => statusOf(payment.paymentNo)));
    expect(statuses).toEqual(["PENDING", "PENDING", undefined]);
  });

  it("opens sandbox payments asked for together in one statement; a number asked for twice gets one payment", async () => {
    const open = (paymentNo: string) =>
      openSandboxPayment(sys.pool, {
        providerPaymentNo: `sbx-${randomUUID()}`,
        method: "UNIONPAY",
        paymentNo,
        amountMinor: 500,
      });
    const [x, y] = [`spec-${randomUUID()}`, `spec-${randomUUID()}`];
    const { sql, result } = await statementsOf(() => Promise.all([open(x), open(y), open(x)]));
    expect(sql).toEqual(shapes(OPEN_AT_SANDBOX));
    const [first, other, again] = result;
    expect([first?.paymentNo, other?.paymentNo, again?.paymentNo]).toEqual([x, y, x]);
    expect(again?.providerPaymentNo).toBe(first?.providerPaymentNo);
    expect(first).toMatchObject({ status: "PENDING", amountMinor: 500 });
  });

  it("records sandbox completions asked for together in one statement; one completed twice takes its results in order", async () => {
    const [a, b] = [checkout(), checkout()];
    const [pa, pb] = [await a.pay("WECHAT"), await b.pay("ALIPAY")];
    const at = new Date("2026-11-27T10:00:00.000Z");
    const complete = (providerPaymentNo: string, result: "SUCCESS" | "FAIL") =>
      completeSandboxPayment(sys.pool, { providerPaymentNo, result, at, refuseRefunds: null });
    const { sql, result } = await statementsOf(() =>
      Promise.all([
        complete(pa.providerPaymentNo, "FAIL"),
        complete(pb.providerPaymentNo, "SUCCESS"),
        complete(pa.providerPaymentNo, "SUCCESS"),
        complete(`unknown-${randomUUID()}`, "SUCCESS"),
      ]),
    );
    // The batch, then the second completion of the same payment on its own.
    expect(sql).toEqual(shapes(COMPLETE_AT_SANDBOX, COMPLETE_AT_SANDBOX));
    expect(result).toEqual([
      expect.objectContaining({ paymentNo: pa.paymentNo, status: "FAIL", failedAt: at, succeededAt: null }),
      expect.objectContaining({ paymentNo: pb.paymentNo, status: "SUCCESS", succeededAt: at }),
      expect.objectContaining({ paymentNo: pa.paymentNo, status: "SUCCESS", failedAt: at, succeededAt: at }),
      null,
    ]);
  });

  it("answers each notice of a batch its own outcome, whatever the order of their checkouts", async () => {
    const [a, b] = [checkout(), checkout()];
    const [pa, pb] = [await a.pay("WECHAT"), await b.pay("WECHAT")];
    const versionOf = async (parentOrderNo: string) =>
      Number(
        (await sys.pool.query("SELECT version FROM checkouts WHERE parent_order_no = $1", [parentOrderNo]))
          .rows[0].version,
      );
    const now = new Date();
    const item = (p: typeof pa, version: number): NoticedTransition => {
      const notice = {
        kind: "PAYMENT" as const,
        notificationId: `spec-${randomUUID()}`,
        paymentNo: p.paymentNo,
        providerPaymentNo: p.providerPaymentNo,
        result: "SUCCESS" as const,
        amountMinor: 12_345,
        occurredAt: now.toISOString(),
      };
      return {
        transition: {
          paymentNo: p.paymentNo,
          parentOrderNo: p.parentOrderNo,
          to: "SUCCEEDED",
          recordPaid: true,
          duplicate: false,
          closeOtherAttempts: true,
          failureReason: null,
          paidAt: now,
          now,
          closeRetryAt: now,
          events: [],
        },
        notice: noticeRow("WECHAT", notice, "CALLBACK", "{}", "PENDING -> SUCCEEDED"),
        version,
      };
    };
    // The later checkout number first, with a version already gone; the other one current.
    const [later, earlier] = pa.parentOrderNo > pb.parentOrderNo ? [pa, pb] : [pb, pa];
    const items = [
      item(later, (await versionOf(later.parentOrderNo)) - 1),
      item(earlier, await versionOf(earlier.parentOrderNo)),
    ];
    const { sql, result } = await statementsOf(() =>
      Promise.all(items.map((one) => saveNoticedTransition(sys.pool, one))),
    );
    expect(sql).toEqual(shapes(WRITE_TRANSITION));
    expect(result).toEqual([
      { current: false, stored: false, closed: [] },
      { current: true, stored: true, closed: [] },
    ]);
    expect([await statusOf(later.paymentNo), await statusOf(earlier.paymentNo)]).toEqual([
      "PENDING",
      "SUCCEEDED",
    ]);
  });

  it("applies a signed success callback in two statements and no transaction", async () => {
    const p = await checkout().pay("WECHAT");
    const { sql, result } = await statementsOf(() => callback("WECHAT", success(p)));
    expect(sql).toEqual(shapes(READ_PAYMENT, WRITE_TRANSITION));
    expect(result).toMatchObject({ duplicate: false, status: "SUCCEEDED" });
    expect(await statusOf(p.paymentNo)).toBe("SUCCEEDED");
    expect(await succeededEvents(p.paymentNo)).toBe(1);
  });

  it("completes a sandbox payment with its callback in three statements", async () => {
    const p = await checkout().pay("ALIPAY");
    const { sql } = await statementsOf(() =>
      call("payment.sandboxComplete", { providerPaymentNo: p.providerPaymentNo, result: "SUCCESS" }),
    );
    expect(sql).toEqual(shapes(COMPLETE_AT_SANDBOX, READ_PAYMENT, WRITE_TRANSITION));
    expect(await succeededEvents(p.paymentNo)).toBe(1);
  });

  it("answers a replayed callback as a duplicate in two statements, changing nothing", async () => {
    const p = await checkout().pay("UNIONPAY");
    const doc = success(p);
    await callback("UNIONPAY", doc);
    const replay = { rawBody: doc.rawBody, signature: signAs("UNIONPAY", doc.rawBody) };
    const { sql, result } = await statementsOf(() => callback("UNIONPAY", replay));
    expect(sql).toEqual(shapes(READ_PAYMENT, WRITE_UNCHANGED));
    expect(result).toMatchObject({ duplicate: true, status: "SUCCEEDED" });
    expect(await succeededEvents(p.paymentNo)).toBe(1);
  });

  it("switches method with one statement for the decision, then closes the old attempt at its provider", async () => {
    const c = checkout();
    const wechat = await c.pay("WECHAT");
    const { sql, result } = await statementsOf(() => c.pay("ALIPAY"));
    expect(sql).toEqual(
      shapes(
        READ_ATTEMPTS,
        OPEN_AT_SANDBOX,
        DECIDE_ATTEMPT,
        /^UPDATE sandbox_payments SET status = /,
        /^UPDATE payments SET close_result = /,
      ),
    );
    expect(await statusOf(wechat.paymentNo)).toBe("CLOSED");
    expect(await statusOf((result as { paymentNo: string }).paymentNo)).toBe("PENDING");
  });

  it("pays a checkout once when successes of two of its attempts arrive together; the other is refunded", async () => {
    const runs = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const c = checkout();
        const first = await c.pay("WECHAT");
        const second = await c.pay("ALIPAY");
        await Promise.all([callback("WECHAT", success(first)), callback("ALIPAY", success(second))]);
        return [first.paymentNo, second.paymentNo];
      }),
    );
    for (const attempts of runs) {
      const { rows } = await sys.pool.query(
        `SELECT p.payment_no, p.status, p.duplicate, p.paid_minor, p.refunded_minor,
           (SELECT json_agg(json_build_object('cause', r.cause, 'amountMinor', r.amount_minor))
            FROM refunds r WHERE r.payment_no = p.payment_no) AS refunds
         FROM payments p WHERE p.payment_no = ANY ($1) ORDER BY p.duplicate`,
        [attempts],
      );
      const [payer, duplicate] = rows;
      expect(rows.map((r) => [r.status, r.duplicate, r.paid_minor])).toEqual([
        ["SUCCEEDED", false, 12_345],
        ["SUCCEEDED", true, 12_345],
      ]);
      expect(payer.refunds).toBeNull();
      expect(duplicate.refunded_minor).toBe(12_345);
      expect(duplicate.refunds).toEqual([{ cause: "DUPLICATE_PAYMENT", amountMinor: 12_345 }]);
      expect(await succeededEvents(payer.payment_no)).toBe(1);
      expect(await succeededEvents(duplicate.payment_no)).toBe(0);
    }
  });

  it("decides a callback again under the checkout's lock when a method switch commits while its write waits", async () => {
    const c = checkout();
    const wechat = await c.pay("WECHAT");
    // Another writer holds the checkout's lock: the switch's decision and then the callback's write queue behind it.
    const holder = await sys.pool.connect();
    let alipay: Promise<{ paymentNo: string }> | undefined;
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM checkouts WHERE parent_order_no = $1 FOR UPDATE", [c.parentOrderNo]);
      const holderPid = (await holder.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const waiting = () =>
        count(
          sys.pool,
          `WITH RECURSIVE behind(pid) AS (
             SELECT $1::int UNION SELECT a.pid FROM pg_stat_activity a, behind WHERE behind.pid = ANY (pg_blocking_pids(a.pid))
           ) SELECT count(*) - 1 AS n FROM behind`,
          [holderPid],
        );
      const until = async (n: number) => {
        while ((await waiting()) < n) await new Promise((r) => setTimeout(r, 10));
      };
      const sent = statementsOf(
        () => callback("WECHAT", success(wechat)),
        (sql) => {
          if (!WRITE_TRANSITION.test(sql) || alipay) return undefined;
          // Read already (PENDING, nothing paid): now the switch starts and waits for the lock first,
          // then this write waits behind it, then the lock is released.
          return recording.exit(() => {
            alipay = c.pay("ALIPAY");
            return until(1).then(() => {
              void until(2).then(() => holder.query("COMMIT"));
            });
          });
        },
      );
      const { sql, result } = await sent;
      const switched = await (alipay as Promise<{ paymentNo: string }>);
      // The switch closed the WECHAT attempt first; its money still pays, and closes the new attempt.
      expect(result).toMatchObject({ duplicate: false, status: "SUCCEEDED" });
      expect(await statusOf(wechat.paymentNo)).toBe("SUCCEEDED");
      expect(await statusOf(switched.paymentNo)).toBe("CLOSED");
      const { rows } = await sys.pool.query(
        "SELECT outcome FROM provider_notifications WHERE subject_no = $1",
        [wechat.paymentNo],
      );
      expect(rows).toEqual([{ outcome: "CLOSED -> SUCCEEDED" }]);
      expect(await succeededEvents(wechat.paymentNo)).toBe(1);
      // Its first write found the checkout changed and wrote nothing; then it was decided again under the lock.
      expect(sql).toEqual(
        shapes(
          READ_PAYMENT,
          WRITE_TRANSITION,
          /^BEGIN$/,
          /^SELECT 1 FROM checkouts/,
          READ_PAYMENT,
          WRITE_TRANSITION,
          /^COMMIT$/,
          /^UPDATE sandbox_payments SET status = /,
          /^UPDATE payments SET close_result = /,
        ),
      );
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      holder.release();
    }
  });
});
