import type { Pool } from "pg";
import { APPEAL_WINDOW_MS } from "../../services/order/domain/after-sales";
import type { OrderService } from "../../services/order/order.service";
import { AFTER_SALES_TIMERS, approve, sweepAfterSales } from "../../services/order/order-after-sales";
import { expectOk, uniqueId } from "../support/catalog";
import { orderReaches, packagesOf, paidOrder, ship } from "../support/fulfilment-flow";
import { request } from "../support/http";
import { useSystem, waitFor } from "../support/system";

const APPEAL_TIMER = AFTER_SALES_TIMERS.REJECTED;

describe("after-sales appeal: the buyer takes a rejection to the platform", () => {
  const suite = useSystem();
  let orders: OrderService;
  let pool: Pool;

  beforeAll(() => {
    orders = suite.service<OrderService>("order");
    pool = orders.pool;
  });

  /** A shop with a warehouse and one SKU at the price, 10 units. */
  async function shopWith(priceMinor: number) {
    const shopId = uniqueId("shop");
    const wh = await suite.catalog.warehouse(["Zhejiang"]);
    const skuId = await suite.catalog.sku({ shopId, priceMinor, stock: { [wh]: 10 } });
    return { shopId, wh, skuId, merchant: await suite.catalog.merchantToken(shopId) };
  }

  const ask = (token: string, orderNo: string, body: Record<string, unknown>) =>
    request(suite.url, "POST", `/api/v1/orders/${orderNo}/after-sales`, { token, body });

  const act = (
    token: string,
    afterSalesNo: string,
    action: string,
    body: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => request(suite.url, "POST", `/api/v1/after-sales/${afterSalesNo}/${action}`, { token, body, headers });

  const view = async (token: string, afterSalesNo: string) =>
    expectOk(
      await request(suite.url, "GET", `/api/v1/after-sales/${afterSalesNo}`, { token }),
      "get request",
    );

  async function requestReaches(token: string, afterSalesNo: string, status: string) {
    let found: any;
    await waitFor(`after-sales ${afterSalesNo} to reach ${status}`, async () => {
      found = await view(token, afterSalesNo);
      return found.status === status;
    });
    return found;
  }

  /** A paid order of `quantity` units and a request for all of them that the shop rejected. */
  async function rejectedRequest(type: "REFUND_ONLY" | "RETURN_REFUND", quantity = 1) {
    const shop = await shopWith(3_990);
    const paid = await paidOrder(suite.catalog, [{ skuId: shop.skuId, quantity }]);
    const packages = await packagesOf(suite.url, shop.merchant, paid.orderNo);
    if (type === "RETURN_REFUND") {
      for (const p of packages) await ship(suite.url, shop.merchant, p.packageId, { method: "NO_LOGISTICS" });
      await orderReaches(suite.url, paid.token, paid.orderNo, "SHIPPED");
    }
    const line = { lineId: paid.order.lines[0].lineId, quantity };
    const created = expectOk(
      await ask(paid.token, paid.orderNo, { type, lines: [line], reason: "broken" }),
      "ask",
    );
    const rejected = expectOk(
      await act(shop.merchant, created.afterSalesNo, "reject", { reason: "no damage in the photos" }),
      "reject",
    );
    return { ...shop, ...paid, line, afterSalesNo: created.afterSalesNo as string, rejected };
  }

  const outboxOf = async (afterSalesNo: string) =>
    (
      await pool.query<{ channel: string; payload: any }>(
        "SELECT channel, payload FROM outbox WHERE payload->>'afterSalesNo' = $1 ORDER BY occurred_at",
        [afterSalesNo],
      )
    ).rows;

  it("rejected, appealed, refused to the shop, approved by the operator: intercepted and refunded to the fen", async () => {
    const r = await rejectedRequest("REFUND_ONLY", 2);
    const before = Date.now();
    expect(r.rejected).toMatchObject({
      status: "REJECTED",
      rejectReason: "no damage in the photos",
      reviewer: "SHOP",
      appealedAt: null,
      appealReason: null,
      actions: [],
    });
    const dueAt = new Date(r.rejected.dueAt).getTime();
    expect(dueAt).toBeGreaterThan(before + APPEAL_WINDOW_MS - 60_000);
    expect(dueAt).toBeLessThanOrEqual(Date.now() + APPEAL_WINDOW_MS);
    expect(await orders.timers.isScheduled(APPEAL_TIMER, r.afterSalesNo)).toBe(true);
    expect((await view(r.token, r.afterSalesNo)).actions).toEqual(["APPEAL", "WITHDRAW"]);
    // Rejected, the request gave its units back: the order has no after-sales running.
    const rejectedOrder = expectOk(
      await request(suite.url, "GET", `/api/v1/orders/${r.orderNo}`, { token: r.token }),
      "order",
    );
    expect(rejectedOrder.afterSalesStatus).toBe("NONE");

    const key = uniqueId("appeal");
    const body = { reason: "the courier photographed the damage" };
    const appealed = await act(r.token, r.afterSalesNo, "appeal", body, { "idempotency-key": key });
    expect(appealed.status).toBe(200);
    expect(appealed.body).toMatchObject({
      status: "PENDING_REVIEW",
      reviewer: "PLATFORM",
      appealReason: body.reason,
      rejectReason: "no damage in the photos",
      dueAt: null,
      actions: ["WITHDRAW"],
    });
    expect(Date.parse(appealed.body.appealedAt)).toBeGreaterThanOrEqual(before);
    expect(await orders.timers.isScheduled(APPEAL_TIMER, r.afterSalesNo)).toBe(false);
    expect(await orders.timers.isScheduled(AFTER_SALES_TIMERS.PENDING_REVIEW, r.afterSalesNo)).toBe(false);

    // The same key replays the first answer; another body under it is refused; a second appeal is a 409.
    const replay = await act(r.token, r.afterSalesNo, "appeal", body, { "idempotency-key": key });
    expect(replay.status).toBe(200);
    expect(replay.body.appealedAt).toBe(appealed.body.appealedAt);
    const reused = await act(
      r.token,
      r.afterSalesNo,
      "appeal",
      { reason: "other" },
      { "idempotency-key": key },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const again = await act(r.token, r.afterSalesNo, "appeal", body, {
      "idempotency-key": uniqueId("appeal"),
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "INVALID_TRANSITION", details: { event: "appeal" } });
    expect(
      (await request(suite.url, "GET", `/api/v1/orders/${r.orderNo}`, { token: r.token })).body
        .afterSalesStatus,
    ).toBe("IN_PROGRESS");

    // The platform decides now: the shop can neither approve nor reject, and sees no buttons.
    for (const action of ["approve", "reject"]) {
      const refused = await act(r.merchant, r.afterSalesNo, action, { reason: "still no" });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: "FORBIDDEN", details: { reviewer: "PLATFORM" } });
    }
    expect((await view(r.merchant, r.afterSalesNo)).actions).toEqual([]);
    expect((await view(suite.catalog.adminToken, r.afterSalesNo)).actions).toEqual(["APPROVE", "REJECT"]);
    // The order detail offers the review to the platform, no longer to the shop.
    const orderActions = async (token: string) =>
      (await request(suite.url, "GET", `/api/v1/orders/${r.orderNo}`, { token })).body.actions;
    expect(await orderActions(r.merchant)).not.toContain("REVIEW_AFTER_SALES");
    expect(await orderActions(suite.catalog.adminToken)).toContain("REVIEW_AFTER_SALES");
    // Nor does the review timer decide for the platform.
    await expect(approve(orders, null, r.afterSalesNo, null)).rejects.toMatchObject({
      type: "INVALID_TRANSITION",
    });

    const approved = expectOk(
      await act(suite.catalog.adminToken, r.afterSalesNo, "approve"),
      "operator approves",
    );
    expect(approved).toMatchObject({ status: "PENDING_REFUND", intercepted: true, reviewer: "PLATFORM" });
    const done = await requestReaches(r.token, r.afterSalesNo, "SUCCEEDED");
    expect(done).toMatchObject({
      refundMinor: r.order.amounts.paidMinor,
      appealReason: body.reason,
      appealedAt: appealed.body.appealedAt,
    });
    const closed = await orderReaches(suite.url, r.token, r.orderNo, "CLOSED");
    expect(closed).toMatchObject({ closeReason: "FULL_REFUND", afterSalesStatus: "REFUNDED" });
    expect(closed.amounts.refundedMinor).toBe(closed.amounts.paidMinor);

    expect(done.timeline.map((e: any) => [e.event, e.role, e.to])).toEqual([
      ["create", "buyer", "PENDING_REVIEW"],
      ["reject", "merchant", "REJECTED"],
      ["appeal", "buyer", "PENDING_REVIEW"],
      ["approve", "admin", "PENDING_REFUND"],
      ["refund.succeeded", "system", "SUCCEEDED"],
    ]);
    expect(done.timeline[2].reason).toBe(body.reason);
    const orderTimeline = expectOk(
      await request(suite.url, "GET", `/api/v1/orders/${r.orderNo}/timeline`, { token: r.token }),
      "order timeline",
    );
    const entries = orderTimeline.items;
    const appealEntry = entries.find((e: any) => e.event === "aftersales.appeal");
    expect(appealEntry).toMatchObject({ role: "buyer" });
    expect(appealEntry.reason).toContain(body.reason);
    const events = await outboxOf(r.afterSalesNo);
    expect(events.filter((e) => e.channel === "aftersales.appealed").map((e) => e.payload)).toEqual([
      expect.objectContaining({ status: "PENDING_REVIEW", reason: body.reason, buyerId: r.buyerId }),
    ]);
  });

  it("closes the request for good when the operator rejects the appeal", async () => {
    const r = await rejectedRequest("RETURN_REFUND");
    expectOk(await act(r.token, r.afterSalesNo, "appeal", { reason: "it is faulty" }), "appeal");
    const final = expectOk(
      await act(suite.catalog.adminToken, r.afterSalesNo, "reject", { reason: "the seal is broken" }),
      "operator rejects",
    );
    expect(final).toMatchObject({
      status: "CLOSED",
      closeReason: "APPEAL_REJECTED",
      rejectReason: "the seal is broken",
      appealReason: "it is faulty",
      dueAt: null,
      actions: [],
    });
    expect(final.closedAt).not.toBeNull();
    expect(await orders.timers.isScheduled(APPEAL_TIMER, r.afterSalesNo)).toBe(false);

    const second = await act(r.token, r.afterSalesNo, "appeal", { reason: "please" });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("INVALID_TRANSITION");
    expect((await view(r.token, r.afterSalesNo)).actions).toEqual([]);
    const order = expectOk(
      await request(suite.url, "GET", `/api/v1/orders/${r.orderNo}`, { token: r.token }),
      "order",
    );
    expect(order).toMatchObject({ status: "SHIPPED", afterSalesStatus: "NONE" });
    expect(order.amounts.refundedMinor).toBe(0);
    const channels = (await outboxOf(r.afterSalesNo)).map((e) => `${e.channel}:${e.payload.status}`);
    expect(channels).toEqual([
      "aftersales.created:PENDING_REVIEW",
      "aftersales.rejected:REJECTED",
      "aftersales.appealed:PENDING_REVIEW",
      "aftersales.rejected:CLOSED",
    ]);
    // The units are free again: the buyer may ask anew.
    expect(
      (await ask(r.token, r.orderNo, { type: "RETURN_REFUND", lines: [r.line], reason: "again" })).status,
    ).toBe(201);
  });

  it("closes a request nobody appealed once its window passes, by the timer or by the sweeper", async () => {
    // The window is 7 days: move each deadline to now, as time passing would.
    const byTimer = await rejectedRequest("REFUND_ONLY");
    const soon = new Date(Date.now() + 1_000);
    await pool.query("UPDATE after_sales SET due_at = $2 WHERE after_sales_no = $1", [
      byTimer.afterSalesNo,
      soon,
    ]);
    await orders.timers.reschedule(APPEAL_TIMER, byTimer.afterSalesNo, soon, {
      afterSalesNo: byTimer.afterSalesNo,
    });
    const timedOut = await requestReaches(byTimer.token, byTimer.afterSalesNo, "CLOSED");
    expect(timedOut).toMatchObject({ closeReason: "APPEAL_TIMEOUT", appealedAt: null, actions: [] });
    expect(timedOut.timeline.map((e: any) => e.event)).toEqual(["create", "reject", "appeal.timeout"]);
    const late = await act(byTimer.token, byTimer.afterSalesNo, "appeal", { reason: "too late" });
    expect(late.status).toBe(409);

    // A lost timer: the window has passed, the appeal is refused, and the sweeper closes the request.
    const lost = await rejectedRequest("REFUND_ONLY");
    await orders.timers.cancel(APPEAL_TIMER, lost.afterSalesNo);
    await pool.query(
      "UPDATE after_sales SET due_at = now() - interval '1 second' WHERE after_sales_no = $1",
      [lost.afterSalesNo],
    );
    expect((await view(lost.token, lost.afterSalesNo)).actions).toEqual(["WITHDRAW"]);
    const refused = await act(lost.token, lost.afterSalesNo, "appeal", { reason: "too late" });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: "INVALID_TRANSITION",
      details: { state: "REJECTED", event: "appeal", guard: "withinAppealWindow" },
    });
    expect((await view(lost.token, lost.afterSalesNo)).status).toBe("REJECTED");
    await sweepAfterSales(orders, new Date());
    const swept = await view(lost.token, lost.afterSalesNo);
    expect(swept).toMatchObject({ status: "CLOSED", closeReason: "APPEAL_TIMEOUT" });
    const orderTimeline = expectOk(
      await request(suite.url, "GET", `/api/v1/orders/${lost.orderNo}/timeline`, { token: lost.token }),
      "order timeline",
    );
    const entries = orderTimeline.items;
    expect(entries.map((e: any) => e.event)).toContain("aftersales.appeal.timeout");
    const closedEvents = (await outboxOf(lost.afterSalesNo)).filter((e) => e.channel === "aftersales.closed");
    expect(closedEvents.map((e) => e.payload.status)).toEqual(["CLOSED"]);
  });

  it("refuses bad reasons, other people's requests, wrong roles, wrong states and units taken since", async () => {
    const r = await rejectedRequest("REFUND_ONLY", 2);
    const missing = await act(r.token, r.afterSalesNo, "appeal", {});
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field: "reason" } });
    const blank = await act(r.token, r.afterSalesNo, "appeal", { reason: "   " });
    expect(blank.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field: "reason" } });
    const oversize = await act(r.token, r.afterSalesNo, "appeal", { reason: "x".repeat(501) });
    expect(oversize.status).toBe(422);
    expect(oversize.body.error.details.field).toBe("reason");
    const notANumber = await act(r.token, "not-a-number", "appeal", { reason: "x" });
    expect(notANumber.status).toBe(422);
    expect(notANumber.body.error.details.field).toBe("afterSalesNo");

    const stranger = (await paidOrder(suite.catalog, [{ skuId: r.skuId, quantity: 1 }])).token;
    const notMine = await act(stranger, r.afterSalesNo, "appeal", { reason: "mine now" });
    expect(notMine.status).toBe(404);
    expect(notMine.body.error.code).toBe("NOT_FOUND");
    const unknown = await act(r.token, "41999999999999999999", "appeal", { reason: "x" });
    expect(unknown.status).toBe(404);
    const byShop = await act(r.merchant, r.afterSalesNo, "appeal", { reason: "x" });
    expect(byShop.status).toBe(403);
    const byOperator = await act(suite.catalog.adminToken, r.afterSalesNo, "appeal", { reason: "x" });
    expect(byOperator.status).toBe(403);
    expect((await view(r.token, r.afterSalesNo)).status).toBe("REJECTED");

    // Still under the shop's review: nothing to appeal.
    const pending = expectOk(
      await ask(r.token, r.orderNo, {
        type: "REFUND_ONLY",
        lines: [{ ...r.line, quantity: 1 }],
        reason: "one",
      }),
      "ask again",
    );
    expect(pending.actions).toEqual(["WITHDRAW"]);
    const early = await act(r.token, pending.afterSalesNo, "appeal", { reason: "x" });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({
      code: "INVALID_TRANSITION",
      details: { state: "PENDING_REVIEW", event: "appeal" },
    });
    // That second request holds one of the two units the rejected one would take back.
    const taken = await act(r.token, r.afterSalesNo, "appeal", { reason: "both were broken" });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({
      code: "CONFLICT",
      details: { lineId: r.line.lineId, remaining: 1 },
    });
    const still = await view(r.token, r.afterSalesNo);
    expect(still).toMatchObject({ status: "REJECTED", appealedAt: null });
    expect(still.timeline.map((e: any) => e.event)).toEqual(["create", "reject"]);
  });
});
