import {
  type AfterSalesAppeal,
  type AfterSalesRequest,
  APPEAL_WINDOW_MS,
  afterSalesActions,
  afterSalesFacts,
  assertMayReview,
  checkAppealUnits,
} from "../../../services/order/domain/after-sales";
import type { ChildOrder } from "../../../services/order/domain/order";
import {
  AFTER_SALES_GUARDS,
  AFTER_SALES_TABLE,
  type AfterSalesEvent,
  type AfterSalesFacts,
  type AfterSalesState,
} from "../../../services/order/domain/order-states";
import { apply } from "../../../shared/state-machine/engine";

const NOW = new Date("2024-06-18T12:00:00.000Z");
const ctx = { now: NOW, actor: "u-1", role: "admin" as const, requestId: null, eventId: null };
const APPEAL: AfterSalesAppeal = { at: new Date("2024-06-17T08:00:00.000Z"), reason: "the parcel was empty" };

function run(state: AfterSalesState, event: AfterSalesEvent, facts: AfterSalesFacts) {
  return apply(AFTER_SALES_TABLE, state, event, { ...ctx, facts, guards: AFTER_SALES_GUARDS });
}

function errorOf(fn: () => unknown): { type: string; code: number; data: Record<string, unknown> } | null {
  try {
    fn();
  } catch (err) {
    return err as { type: string; code: number; data: Record<string, unknown> };
  }
  return null;
}

const request = (status: AfterSalesState, over: Partial<AfterSalesRequest> = {}): AfterSalesRequest =>
  ({
    afterSalesNo: "41260301000000000007",
    type: "REFUND_ONLY",
    status,
    dueAt: null,
    lines: [{ lineId: "L1", skuId: "S1", quantity: 2 }],
    ...over,
  }) as AfterSalesRequest;

describe("after-sales appeal table", () => {
  it("is version 3 of the after-sales table (2 added appeals, 3 the refused refund's retry)", () => {
    expect(AFTER_SALES_TABLE.version).toBe("AFTER_SALES@3");
  });

  it("takes one appeal: shop rejects, buyer appeals, the platform's rejection closes the request", () => {
    const rejected = run("PENDING_REVIEW", "reject", { appealed: false });
    expect(rejected).toMatchObject({
      to: "REJECTED",
      effects: ["cancelReviewTimeout", "scheduleAppealTimeout"],
    });
    const appealed = run("REJECTED", "appeal", { appealWindowOpen: true });
    expect(appealed).toMatchObject({ to: "PENDING_REVIEW", effects: ["cancelAppealTimeout"] });
    const final = run("PENDING_REVIEW", "reject", { appealed: true });
    expect(final).toMatchObject({ to: "CLOSED", effects: ["updateOrderAfterSalesStatus"] });
    expect(errorOf(() => run("CLOSED", "appeal", { appealWindowOpen: true }))).toMatchObject({
      type: "INVALID_TRANSITION",
      code: 409,
      data: { state: "CLOSED", event: "appeal" },
    });
  });

  it("refuses an appeal after the window, naming the guard", () => {
    expect(errorOf(() => run("REJECTED", "appeal", { appealWindowOpen: false }))).toMatchObject({
      type: "INVALID_TRANSITION",
      data: { state: "REJECTED", event: "appeal", guard: "withinAppealWindow" },
    });
  });

  it("never approves an appealed request on the review timer, whatever its type", () => {
    for (const type of ["REFUND_ONLY", "RETURN_REFUND", "EXCHANGE"] as const) {
      expect(errorOf(() => run("PENDING_REVIEW", "review.timeout", { type, appealed: true }))).toMatchObject({
        type: "INVALID_TRANSITION",
        data: { guard: "isRefundOnlyBeforeAppeal|needsReturnBeforeAppeal" },
      });
    }
    expect(run("PENDING_REVIEW", "approve", { type: "REFUND_ONLY", appealed: true }).to).toBe(
      "PENDING_REFUND",
    );
  });

  it("runs requests begun under @1 (never appealed, rejected without a deadline) as @1 did", () => {
    const legacyRejected = request("REJECTED", { tableVersion: "AFTER_SALES@1", dueAt: null });
    const facts = afterSalesFacts(legacyRejected, null, NOW);
    expect(run("REJECTED", "appeal", facts).to).toBe("PENDING_REVIEW");
    const reviewed = afterSalesFacts(request("PENDING_REVIEW", { type: "RETURN_REFUND" }), null, NOW);
    expect(run("PENDING_REVIEW", "review.timeout", reviewed).to).toBe("AWAITING_BUYER_RETURN");
    expect(run("PENDING_REVIEW", "reject", reviewed).to).toBe("REJECTED");
  });
});

describe("afterSalesFacts", () => {
  it("keeps the appeal window open until the rejected request's deadline", () => {
    const dueAt = new Date(NOW.getTime() + 1);
    expect(afterSalesFacts(request("REJECTED", { dueAt }), null, NOW)).toEqual({
      type: "REFUND_ONLY",
      appealed: false,
      appealWindowOpen: true,
      refundRefused: false,
    });
    expect(afterSalesFacts(request("REJECTED", { dueAt: NOW }), null, NOW).appealWindowOpen).toBe(false);
    expect(afterSalesFacts(request("PENDING_REVIEW", { dueAt }), APPEAL, NOW)).toMatchObject({
      appealed: true,
      appealWindowOpen: false,
    });
  });

  it("gives the buyer seven days", () => {
    expect(APPEAL_WINDOW_MS).toBe(7 * 24 * 3_600_000);
  });
});

describe("assertMayReview", () => {
  it("refuses the shop once the buyer appealed, naming the platform as reviewer", () => {
    expect(errorOf(() => assertMayReview("merchant", request("PENDING_REVIEW"), APPEAL))).toMatchObject({
      type: "FORBIDDEN",
      code: 403,
      data: { afterSalesNo: "41260301000000000007", reviewer: "PLATFORM" },
    });
  });

  it("lets the operator decide an appeal, and the shop decide a request not appealed", () => {
    expect(errorOf(() => assertMayReview("admin", request("PENDING_REVIEW"), APPEAL))).toBeNull();
    expect(errorOf(() => assertMayReview("merchant", request("PENDING_REVIEW"), null))).toBeNull();
  });
});

describe("checkAppealUnits", () => {
  const order = {
    orderNo: "11260301000000000002",
    lines: [{ lineId: "L1", skuId: "S1", quantity: 3 }],
  } as unknown as ChildOrder;
  const appealed = request("REJECTED");

  it("lets the appeal take back units nobody else asked for", () => {
    const other = request("PENDING_REVIEW", {
      afterSalesNo: "41260301000000000008",
      lines: [{ lineId: "L1", skuId: "S1", quantity: 1 }],
    });
    expect(errorOf(() => checkAppealUnits(order, [appealed, other], appealed))).toBeNull();
  });

  it("refuses it when a later request took the units the rejection released", () => {
    const later = request("SUCCEEDED", {
      afterSalesNo: "41260301000000000009",
      lines: [{ lineId: "L1", skuId: "S1", quantity: 2 }],
    });
    expect(errorOf(() => checkAppealUnits(order, [appealed, later], appealed))).toMatchObject({
      type: "CONFLICT",
      code: 409,
      data: { lineId: "L1", remaining: 1 },
    });
  });
});

describe("afterSalesActions", () => {
  const open = new Date(NOW.getTime() + 60_000);

  it("offers the buyer an appeal of a rejection while the window is open", () => {
    expect(afterSalesActions(request("REJECTED", { dueAt: open }), null, "buyer", NOW)).toEqual([
      "APPEAL",
      "WITHDRAW",
    ]);
    expect(afterSalesActions(request("REJECTED", { dueAt: NOW }), null, "buyer", NOW)).toEqual(["WITHDRAW"]);
    expect(afterSalesActions(request("REJECTED", { dueAt: open }), null, "merchant", NOW)).toEqual([]);
  });

  it("moves the review from the shop to the operator once appealed", () => {
    const pending = request("PENDING_REVIEW");
    expect(afterSalesActions(pending, null, "merchant", NOW)).toEqual(["APPROVE", "REJECT"]);
    expect(afterSalesActions(pending, APPEAL, "merchant", NOW)).toEqual([]);
    expect(afterSalesActions(pending, APPEAL, "admin", NOW)).toEqual(["APPROVE", "REJECT"]);
    expect(afterSalesActions(pending, APPEAL, "buyer", NOW)).toEqual(["WITHDRAW"]);
  });

  it("offers the return steps to whom they belong", () => {
    const awaiting = request("AWAITING_BUYER_RETURN", { type: "RETURN_REFUND" });
    expect(afterSalesActions(awaiting, null, "buyer", NOW)).toEqual(["RETURN_SHIPMENT", "WITHDRAW"]);
    const receipt = request("AWAITING_RETURN_RECEIPT", { type: "EXCHANGE" });
    expect(afterSalesActions(receipt, null, "merchant", NOW)).toEqual(["RECEIVE"]);
    expect(afterSalesActions(request("CLOSED"), APPEAL, "buyer", NOW)).toEqual([]);
  });
});
