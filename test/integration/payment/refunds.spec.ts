import "./payment-env";
import { randomUUID } from "node:crypto";
import { reconcileRefunds } from "../../../services/order/domain/reconciliation";
import { insertRefund } from "../../../services/payment/store/refund.repo";
import { buyer, count, eventually, providerDocument, signAs, usePaymentSystem } from "./payment-harness";

describe("refunds", () => {
  const sys = usePaymentSystem();
  const { call } = sys;
  const refundStatuses = async (paymentNo: string) =>
    (await sys.pool.query("SELECT status FROM refunds WHERE payment_no = $1", [paymentNo])).rows.map(
      (r) => r.status,
    );
  const refundEvents = (paymentNo: string) =>
    count(
      sys.pool,
      "SELECT count(*) AS n FROM outbox WHERE channel = 'refund.succeeded' AND payload->>'paymentNo' = $1",
      [paymentNo],
    );

  /** A checkout paid in full through the sandbox, whose provider refuses its next `refuseRefunds` refunds. */
  async function paid(amountMinor = 10_000, refuseRefunds = 0) {
    const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
    const parentOrderNo = sys.book.open(buyerId, amountMinor);
    const p = await call("payment.create", { parentOrderNo, method: "WECHAT" }, buyer(buyerId));
    await call("payment.sandboxComplete", {
      providerPaymentNo: p.providerPaymentNo,
      result: "SUCCESS",
      refuseRefunds,
    });
    const refund = (amount: number, key = randomUUID(), orderNo: string | null = null, retry = false) =>
      call("payment.refund", {
        parentOrderNo,
        orderNo,
        amountMinor: amount,
        reason: "after-sales",
        idempotencyKey: key,
        retry,
      });
    return { ...p, buyerId, parentOrderNo, refund };
  }

  it("lets exactly floor(100/30) of 20 concurrent 30% refunds through, never more than paid", async () => {
    const p = await paid(10_000);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => p.refund(3_000)));
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(17);
    for (const r of refused) expect(r.reason).toMatchObject({ type: "REFUND_EXCEEDS_PAID", code: 422 });
    const { rows } = await sys.pool.query(
      "SELECT p.refunded_minor, (SELECT sum(amount_minor)::bigint FROM refunds r WHERE r.payment_no = p.payment_no) AS total FROM payments p WHERE payment_no = $1",
      [p.paymentNo],
    );
    expect(rows[0]).toEqual({ refunded_minor: 9_000, total: 9_000 });
    await eventually("the provider's refund callbacks", async () =>
      (await refundStatuses(p.paymentNo)).every((s) => s === "SUCCEEDED"),
    );
    expect(await refundEvents(p.paymentNo)).toBe(3);
    const atProvider = await count(
      sys.pool,
      "SELECT sum(amount_minor) AS n FROM sandbox_refunds WHERE provider_payment_no = $1",
      [p.providerPaymentNo],
    );
    expect(atProvider).toBe(9_000);
    await expect(p.refund(1_001)).rejects.toMatchObject({
      type: "REFUND_EXCEEDS_PAID",
      data: { refundableMinor: 1_000 },
    });
    await expect(p.refund(1_000)).resolves.toMatchObject({ amountMinor: 1_000 });
  });

  it("refuses refunds above the amount paid in the database itself, without the service's lock", async () => {
    const p = await paid(10_000);
    const now = new Date();
    const inserts = Array.from({ length: 20 }, (_, i) =>
      insertRefund(
        sys.pool,
        {
          refundNo: `db-only-${p.paymentNo}-${i}`,
          paymentNo: p.paymentNo,
          orderNo: null,
          amountMinor: 3_000,
          reason: "x",
          cause: "REQUESTED",
          idempotencyKey: `db-only-${i}`,
          status: "PENDING",
          providerRefundNo: null,
          createdAt: now,
          completedAt: null,
        },
        new Date(now.getTime() + 3_600_000),
      ),
    );
    expect((await Promise.all(inserts)).filter(Boolean)).toHaveLength(3);
    await expect(
      sys.pool.query("UPDATE payments SET refunded_minor = paid_minor + 1 WHERE payment_no = $1", [
        p.paymentNo,
      ]),
    ).rejects.toThrow(/check constraint/);
  });

  it("gives each partial refund its own refund number and shows them on the payment", async () => {
    const p = await paid(10_000);
    const a = await p.refund(1_000, "k-a", p.parentOrderNo);
    const b = await p.refund(2_500, "k-b");
    expect(a.refundNo).toMatch(/^\d9\d{18}$/);
    expect(b.refundNo).not.toBe(a.refundNo);
    await eventually("both refunds", async () =>
      (await refundStatuses(p.paymentNo)).every((s) => s === "SUCCEEDED"),
    );
    const view = await call("payment.forParent", { parentOrderNo: p.parentOrderNo });
    expect(view).toMatchObject({ paidMinor: 10_000, refundedMinor: 3_500, refundingMinor: 0 });
    expect(view.refunds).toEqual([
      {
        refundNo: a.refundNo,
        orderNo: p.parentOrderNo,
        amountMinor: 1_000,
        status: "SUCCEEDED",
        reason: "after-sales",
      },
      { refundNo: b.refundNo, orderNo: null, amountMinor: 2_500, status: "SUCCEEDED", reason: "after-sales" },
    ]);
    await eventually(
      "refund.succeeded delivered",
      () => sys.book.events("refund.succeeded", "paymentNo", p.paymentNo).length === 2,
    );
    expect(sys.book.events("refund.succeeded", "refundNo", a.refundNo)[0]?.payload).toEqual({
      refundNo: a.refundNo,
      paymentNo: p.paymentNo,
      parentOrderNo: p.parentOrderNo,
      orderNo: p.parentOrderNo,
      amountMinor: 1_000,
      reason: "after-sales",
    });
  });

  it("returns the same refund for a retried idempotency key, however often and concurrently", async () => {
    const p = await paid(10_000);
    const answers = await Promise.all(Array.from({ length: 5 }, () => p.refund(4_000, "same-key")));
    expect(new Set(answers.map((a) => a.refundNo)).size).toBe(1);
    expect(await refundStatuses(p.paymentNo)).toHaveLength(1);
    expect((await p.refund(4_000, "same-key")).refundNo).toBe(answers[0].refundNo);
    await expect(p.refund(4_001, "same-key")).rejects.toMatchObject({ type: "IDEMPOTENCY_KEY_REUSED" });
    const { rows } = await sys.pool.query("SELECT refunded_minor FROM payments WHERE payment_no = $1", [
      p.paymentNo,
    ]);
    expect(rows[0].refunded_minor).toBe(4_000);
  });

  it("applies refund callbacks once: replays and duplicates change nothing", async () => {
    const p = await paid(10_000);
    const r = await p.refund(2_000);
    await eventually(
      "the refund callback",
      async () => (await refundStatuses(p.paymentNo))[0] === "SUCCEEDED",
    );
    const { rows } = await sys.pool.query(
      "SELECT raw_body FROM provider_notifications WHERE subject_no = $1",
      [r.refundNo],
    );
    expect(rows).toHaveLength(1);
    const replay = { rawBody: rows[0].raw_body, signature: signAs("WECHAT", rows[0].raw_body) };
    for (let i = 0; i < 3; i++) {
      expect(await call("payment.callback", { provider: "WECHAT", ...replay })).toMatchObject({
        duplicate: true,
        status: "SUCCEEDED",
      });
    }
    expect(await refundEvents(p.paymentNo)).toBe(1);
    const tampered = JSON.parse(rows[0].raw_body);
    tampered.resource.amount.refund = 9_999;
    const raw = JSON.stringify(tampered);
    await expect(
      call("payment.callback", { provider: "WECHAT", rawBody: raw, signature: signAs("WECHAT", raw) }),
    ).rejects.toMatchObject({
      type: "AMOUNT_MISMATCH",
    });
    const unknown = providerDocument("WECHAT", {
      kind: "REFUND",
      refundNo: "19000000000000000000",
      providerRefundNo: "x",
      paymentNo: p.paymentNo,
      providerPaymentNo: p.providerPaymentNo,
      result: "SUCCESS",
      amountMinor: 2_000,
      occurredAt: new Date().toISOString(),
    });
    await expect(call("payment.callback", { provider: "WECHAT", ...unknown })).rejects.toMatchObject({
      type: "PAYMENT_NOT_FOUND",
    });
  });

  describe("a refused refund the provider pays after all (an abnormal refund the merchant settles by hand)", () => {
    const CHILD = "1000000000000000001";
    const statusOf = async (refundNo: string) =>
      (await sys.pool.query("SELECT status FROM refunds WHERE refund_no = $1", [refundNo])).rows[0]?.status;
    /** A refund of a child order the provider refused; `payAtProvider` has the provider pay it after all. */
    async function refusedRefund(amountMinor = 4_000) {
      const p = await paid(10_000, 1);
      const refused = await p.refund(amountMinor, "first", CHILD);
      await eventually("the refusal", async () => (await statusOf(refused.refundNo)) === "FAILED");
      const payAtProvider = () =>
        sys.pool.query(
          "UPDATE sandbox_refunds SET status = 'SUCCESS', failure_reason = NULL, completed_at = now() WHERE refund_no = $1",
          [refused.refundNo],
        );
      return { p, refused, payAtProvider };
    }
    const totals = async (paymentNo: string) =>
      (
        await sys.pool.query(
          `SELECT p.refunded_minor,
             (SELECT count(*)::int FROM refunds r WHERE r.payment_no = p.payment_no) AS refunds,
             (SELECT sum(amount_minor)::int FROM refunds r WHERE r.payment_no = p.payment_no AND r.status = 'SUCCEEDED') AS paid_back
           FROM payments p WHERE payment_no = $1`,
          [paymentNo],
        )
      ).rows[0];

    it("asks the provider before asking again, and answers the refused refund it paid instead of paying twice", async () => {
      const { p, refused, payAtProvider } = await refusedRefund();
      await payAtProvider();
      const again = await p.refund(4_000, "again", CHILD, true);
      expect(again).toMatchObject({ refundNo: refused.refundNo, status: "SUCCEEDED", amountMinor: 4_000 });
      // Asked again once more, under the same key or another: still that refund, nothing new at the provider.
      expect(await p.refund(4_000, "again", CHILD, true)).toMatchObject({ refundNo: refused.refundNo });
      expect(await p.refund(4_000, "third", CHILD, true)).toMatchObject({ refundNo: refused.refundNo });
      expect(await totals(p.paymentNo)).toEqual({ refunded_minor: 4_000, refunds: 1, paid_back: 4_000 });
      expect(await refundEvents(p.paymentNo)).toBe(1);
      const atProvider = await count(
        sys.pool,
        "SELECT sum(amount_minor) AS n FROM sandbox_refunds WHERE provider_payment_no = $1 AND status = 'SUCCESS'",
        [p.providerPaymentNo],
      );
      expect(atProvider).toBe(4_000);
    });

    it("asks again as a new refund while the provider stands by its refusal", async () => {
      const { p, refused } = await refusedRefund();
      const again = await p.refund(4_000, "again", CHILD, true);
      expect(again.refundNo).not.toBe(refused.refundNo);
      await eventually("the new refund", async () => (await statusOf(again.refundNo)) === "SUCCEEDED");
      expect(await totals(p.paymentNo)).toEqual({ refunded_minor: 4_000, refunds: 2, paid_back: 4_000 });
    });

    it("records a refusal paid after it was asked again as paid, and the day's reconciliation reports it OVER_REFUNDED", async () => {
      const { p, refused, payAtProvider } = await refusedRefund(6_000);
      const again = await p.refund(6_000, "again", CHILD, true);
      await eventually("the new refund", async () => (await statusOf(again.refundNo)) === "SUCCEEDED");
      // The provider's query answer came before it changed its mind; the success arrives as a callback.
      await payAtProvider();
      const { rows } = await sys.pool.query("SELECT provider_refund_no FROM refunds WHERE refund_no = $1", [
        refused.refundNo,
      ]);
      const lateSuccess = providerDocument("WECHAT", {
        kind: "REFUND",
        refundNo: refused.refundNo,
        providerRefundNo: rows[0].provider_refund_no,
        paymentNo: p.paymentNo,
        providerPaymentNo: p.providerPaymentNo,
        result: "SUCCESS",
        amountMinor: 6_000,
        occurredAt: new Date().toISOString(),
      });
      expect(await call("payment.callback", { provider: "WECHAT", ...lateSuccess })).toMatchObject({
        status: "SUCCEEDED",
      });
      // Recorded as it happened; the refundable balance stops at zero.
      expect(await totals(p.paymentNo)).toEqual({ refunded_minor: 10_000, refunds: 2, paid_back: 12_000 });
      await expect(p.refund(1)).rejects.toMatchObject({ type: "REFUND_EXCEEDS_PAID" });
      const ledger = await call("payment.ledger", {
        kind: "refunds",
        nos: [refused.refundNo, again.refundNo],
      });
      const mismatches = reconcileRefunds(ledger.items, new Map()).filter((m) => m.kind === "OVER_REFUNDED");
      expect(mismatches).toEqual([
        expect.objectContaining({ refundNo: refused.refundNo, paymentMinor: 12_000, ordersMinor: 10_000 }),
      ]);
    });
  });

  it("refuses to refund what was not paid", async () => {
    const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
    const parentOrderNo = sys.book.open(buyerId, 1_000);
    const ask = { parentOrderNo, orderNo: null, amountMinor: 100, reason: "x", idempotencyKey: "k" };
    await expect(call("payment.refund", ask)).rejects.toMatchObject({ type: "PAYMENT_NOT_FOUND", code: 404 });
    await call("payment.create", { parentOrderNo, method: "ALIPAY" }, buyer(buyerId));
    await expect(call("payment.refund", ask)).rejects.toMatchObject({
      type: "INVALID_TRANSITION",
      data: { state: "PENDING" },
    });
    await expect(call("payment.refund", { ...ask, amountMinor: 0 })).rejects.toMatchObject({
      type: "VALIDATION_ERROR",
    });
  });
});
