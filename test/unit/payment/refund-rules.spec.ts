import fc from "fast-check";
import {
  assertRefundFits,
  assertSameRefund,
  refundableMinor,
} from "../../../services/payment/domain/refund-rules";

/** Applies requests in order the way the service does under the row lock; returns the accepted ones. */
function acceptInOrder(paidMinor: number, requests: number[]): number[] {
  let committed = 0;
  const accepted: number[] = [];
  for (const amount of requests) {
    try {
      assertRefundFits(paidMinor, committed, amount);
      committed += amount;
      accepted.push(amount);
    } catch (err) {
      expect((err as { type: string }).type).toBe("REFUND_EXCEEDS_PAID");
    }
  }
  return accepted;
}

describe("refund arithmetic", () => {
  it("lets exactly floor(100/30) refunds of 30% through", () => {
    expect(acceptInOrder(10_000, Array(20).fill(3_000))).toEqual([3_000, 3_000, 3_000]);
  });

  it("allows refunding to the last fen, and not one fen more", () => {
    expect(() => assertRefundFits(10_000, 9_999, 1)).not.toThrow();
    expect(() => assertRefundFits(10_000, 10_000, 1)).toThrow(
      expect.objectContaining({
        type: "REFUND_EXCEEDS_PAID",
        data: { paidMinor: 10_000, refundedMinor: 10_000, requestedMinor: 1, refundableMinor: 0 },
      }),
    );
  });

  it("refuses amounts that are not positive whole fen", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => assertRefundFits(10_000, 0, bad)).toThrow(
        expect.objectContaining({ type: "VALIDATION_FAILED" }),
      );
    }
  });

  it("never accepts more in total than was paid", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 500_000 })),
        (paid, asks) => {
          const total = acceptInOrder(paid, asks).reduce((a, b) => a + b, 0);
          return total <= paid && refundableMinor(paid, total) === paid - total;
        },
      ),
    );
  });

  it("treats a retried key with another amount or order as a reused key", () => {
    expect(() =>
      assertSameRefund({ amountMinor: 100, orderNo: "1" }, { amountMinor: 100, orderNo: "1" }),
    ).not.toThrow();
    expect(() =>
      assertSameRefund({ amountMinor: 100, orderNo: "1" }, { amountMinor: 101, orderNo: "1" }),
    ).toThrow(expect.objectContaining({ type: "IDEMPOTENCY_KEY_REUSED" }));
    expect(() =>
      assertSameRefund({ amountMinor: 100, orderNo: "1" }, { amountMinor: 100, orderNo: null }),
    ).toThrow(expect.objectContaining({ type: "IDEMPOTENCY_KEY_REUSED" }));
  });
});
