import {
  PAYMENT_GUARDS,
  PAYMENT_TABLE,
  type PaymentEvent,
  type PaymentState,
  REFUND_TABLE,
  type RefundEvent,
  type RefundState,
} from "../../../services/payment/domain/payment-states";
import { apply, isTerminal, reachableStates, rowsFor } from "../../../shared/state-machine/engine";

const ctx = (paidByAnotherAttempt: boolean) => ({
  now: new Date("2026-11-26T00:00:00Z"),
  actor: "WECHAT",
  role: "system" as const,
  facts: { paidByAnotherAttempt },
  guards: PAYMENT_GUARDS,
});

type Outcome = { to: PaymentState; effects: string[] } | null;
/** The documented outcome of each (state, event), without and with another attempt having paid. */
const PAYMENT_EXPECTED: Record<PaymentState, Record<PaymentEvent, [Outcome, Outcome]>> = {
  PENDING: {
    "provider.succeeded": [
      { to: "SUCCEEDED", effects: ["recordPaid", "emitSucceeded", "closeOtherAttempts"] },
      { to: "SUCCEEDED", effects: ["recordPaid", "markDuplicate", "refundDuplicate"] },
    ],
    "provider.failed": [
      { to: "FAILED", effects: ["emitFailed"] },
      { to: "FAILED", effects: ["emitFailed"] },
    ],
    "attempt.replaced": [
      { to: "CLOSED", effects: [] },
      { to: "CLOSED", effects: [] },
    ],
  },
  FAILED: {
    "provider.succeeded": [
      { to: "SUCCEEDED", effects: ["recordPaid", "emitSucceeded", "closeOtherAttempts"] },
      { to: "SUCCEEDED", effects: ["recordPaid", "markDuplicate", "refundDuplicate"] },
    ],
    "provider.failed": [
      { to: "FAILED", effects: [] },
      { to: "FAILED", effects: [] },
    ],
    "attempt.replaced": [
      { to: "CLOSED", effects: [] },
      { to: "CLOSED", effects: [] },
    ],
  },
  CLOSED: {
    "provider.succeeded": [
      { to: "SUCCEEDED", effects: ["recordPaid", "emitSucceeded", "closeOtherAttempts"] },
      { to: "SUCCEEDED", effects: ["recordPaid", "markDuplicate", "refundDuplicate"] },
    ],
    "provider.failed": [
      { to: "CLOSED", effects: [] },
      { to: "CLOSED", effects: [] },
    ],
    "attempt.replaced": [null, null],
  },
  SUCCEEDED: {
    "provider.succeeded": [
      { to: "SUCCEEDED", effects: [] },
      { to: "SUCCEEDED", effects: [] },
    ],
    "provider.failed": [
      { to: "SUCCEEDED", effects: [] },
      { to: "SUCCEEDED", effects: [] },
    ],
    "attempt.replaced": [null, null],
  },
};

describe("payment attempt state table", () => {
  for (const state of PAYMENT_TABLE.states) {
    for (const event of PAYMENT_TABLE.events) {
      PAYMENT_EXPECTED[state][event].forEach((expected, i) => {
        const paidByOther = i === 1;
        it(`${state} + ${event}${paidByOther ? " (checkout paid by another attempt)" : ""} -> ${expected?.to ?? "409"}`, () => {
          if (expected === null) {
            expect(() => apply(PAYMENT_TABLE, state, event, ctx(paidByOther))).toThrow(
              expect.objectContaining({ type: "INVALID_TRANSITION", data: { state, event } }),
            );
            return;
          }
          const t = apply(PAYMENT_TABLE, state, event, ctx(paidByOther));
          expect({ to: t.to, effects: t.effects }).toEqual(expected);
        });
      });
    }
  }

  it("keeps success final: nothing leads out of SUCCEEDED", () => {
    expect(isTerminal(PAYMENT_TABLE, "SUCCEEDED")).toBe(true);
  });

  it("reaches every state from PENDING", () => {
    expect(reachableStates(PAYMENT_TABLE)).toEqual(new Set(PAYMENT_TABLE.states));
  });
});

const REFUND_EXPECTED: Record<RefundState, Record<RefundEvent, { to: RefundState; effects: string[] }>> = {
  PENDING: {
    "provider.succeeded": { to: "SUCCEEDED", effects: ["emitRefundSucceeded"] },
    "provider.failed": { to: "FAILED", effects: ["releaseAmount", "emitRefundFailed"] },
  },
  SUCCEEDED: {
    "provider.succeeded": { to: "SUCCEEDED", effects: [] },
    "provider.failed": { to: "SUCCEEDED", effects: [] },
  },
  FAILED: {
    "provider.succeeded": { to: "SUCCEEDED", effects: ["reclaimAmount", "emitRefundSucceeded"] },
    "provider.failed": { to: "FAILED", effects: [] },
  },
};

describe("refund state table", () => {
  for (const state of REFUND_TABLE.states) {
    for (const event of REFUND_TABLE.events) {
      const expected = REFUND_EXPECTED[state][event];
      it(`${state} + ${event} -> ${expected.to}`, () => {
        expect(rowsFor(REFUND_TABLE, state, event)).toHaveLength(1);
        const t = apply(REFUND_TABLE, state, event, { now: new Date(), actor: "ALIPAY", role: "system" });
        expect({ to: t.to, effects: t.effects }).toEqual(expected);
      });
    }
  }

  it("announces a refund once: a repeated success has no effects", () => {
    const again = apply(REFUND_TABLE, "SUCCEEDED", "provider.succeeded", {
      now: new Date(),
      actor: "x",
      role: "system",
    });
    expect(again.effects).toEqual([]);
  });
});
