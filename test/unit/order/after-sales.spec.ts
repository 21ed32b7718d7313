import {
  type AfterSalesRequest,
  afterSalesStatusOf,
  checkRequest,
  unitsInAfterSales,
} from "../../../services/order/domain/after-sales";
import type { ChildOrder } from "../../../services/order/domain/order";
import type { AfterSalesState } from "../../../services/order/domain/order-states";

/** A paid child order with two lines: L1 x3, L2 x1 (only what the rules read). */
function order(status: ChildOrder["status"], refunded: Record<string, number> = {}): ChildOrder {
  return {
    orderNo: "11260301000000000002",
    status,
    lines: [
      { lineId: "L1", skuId: "S1", quantity: 3, refundedQuantity: refunded.L1 ?? 0 },
      { lineId: "L2", skuId: "S2", quantity: 1, refundedQuantity: refunded.L2 ?? 0 },
    ],
  } as unknown as ChildOrder;
}

const request = (status: AfterSalesState, lines: [string, number][]): AfterSalesRequest =>
  ({
    status,
    lines: lines.map(([lineId, quantity]) => ({ lineId, skuId: `S${lineId.slice(1)}`, quantity })),
  }) as AfterSalesRequest;

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    const e = err as { type: string; data: Record<string, unknown> };
    return { type: e.type, field: e.data.field };
  }
  return null;
};

describe("after-sales requests", () => {
  it("answers the requested lines with their SKUs", () => {
    expect(checkRequest(order("SHIPPED"), [], "RETURN_REFUND", [{ lineId: "L1", quantity: 2 }])).toEqual([
      { lineId: "L1", skuId: "S1", quantity: 2 },
    ]);
  });

  it("counts units of open and succeeded requests, not of rejected or closed ones", () => {
    const taken = unitsInAfterSales([
      request("PENDING_REVIEW", [["L1", 1]]),
      request("SUCCEEDED", [
        ["L1", 1],
        ["L2", 1],
      ]),
      request("REJECTED", [["L1", 1]]),
      request("CLOSED", [["L1", 1]]),
    ]);
    expect(Object.fromEntries(taken)).toEqual({ L1: 2, L2: 1 });
    const existing = [request("PENDING_REVIEW", [["L1", 2]])];
    expect(
      codeOf(() => checkRequest(order("SHIPPED"), existing, "REFUND_ONLY", [{ lineId: "L1", quantity: 2 }])),
    ).toEqual({ type: "VALIDATION_FAILED", field: "lines[0].quantity" });
    expect(
      checkRequest(order("SHIPPED"), existing, "REFUND_ONLY", [{ lineId: "L1", quantity: 1 }]),
    ).toHaveLength(1);
  });

  it("refuses unknown lines, a line twice, too many units and an empty request, naming the field", () => {
    const o = order("COMPLETED");
    expect(codeOf(() => checkRequest(o, [], "REFUND_ONLY", [{ lineId: "L9", quantity: 1 }]))).toEqual({
      type: "VALIDATION_FAILED",
      field: "lines[0].lineId",
    });
    expect(
      codeOf(() =>
        checkRequest(o, [], "REFUND_ONLY", [
          { lineId: "L1", quantity: 1 },
          { lineId: "L1", quantity: 1 },
        ]),
      ),
    ).toEqual({ type: "VALIDATION_FAILED", field: "lines[1].lineId" });
    expect(codeOf(() => checkRequest(o, [], "EXCHANGE", [{ lineId: "L2", quantity: 2 }]))).toEqual({
      type: "VALIDATION_FAILED",
      field: "lines[0].quantity",
    });
    expect(codeOf(() => checkRequest(o, [], "REFUND_ONLY", []))).toEqual({
      type: "VALIDATION_FAILED",
      field: "lines",
    });
  });

  it("takes requests only while the order is paid and the window open; returns only once something shipped", () => {
    const line = [{ lineId: "L1", quantity: 1 }];
    expect(codeOf(() => checkRequest(order("FINISHED"), [], "REFUND_ONLY", line))?.type).toBe(
      "AFTER_SALES_WINDOW_CLOSED",
    );
    for (const status of ["PENDING_PAYMENT", "CLOSED"] as const) {
      expect(codeOf(() => checkRequest(order(status), [], "REFUND_ONLY", line))?.type).toBe(
        "INVALID_TRANSITION",
      );
    }
    for (const status of ["AWAITING_SHIPMENT", "PARTIALLY_SHIPPED"] as const) {
      expect(checkRequest(order(status), [], "REFUND_ONLY", line)).toHaveLength(1);
      expect(codeOf(() => checkRequest(order(status), [], "RETURN_REFUND", line))?.type).toBe(
        "INVALID_TRANSITION",
      );
      expect(codeOf(() => checkRequest(order(status), [], "EXCHANGE", line))?.type).toBe(
        "INVALID_TRANSITION",
      );
    }
  });

  it("derives the order's after-sales status", () => {
    expect(afterSalesStatusOf(order("SHIPPED"), [])).toBe("NONE");
    expect(afterSalesStatusOf(order("SHIPPED"), [request("REJECTED", [["L1", 1]])])).toBe("NONE");
    expect(afterSalesStatusOf(order("SHIPPED", { L1: 1 }), [request("PENDING_REVIEW", [["L2", 1]])])).toBe(
      "IN_PROGRESS",
    );
    expect(afterSalesStatusOf(order("SHIPPED", { L1: 1 }), [request("SUCCEEDED", [["L1", 1]])])).toBe(
      "PARTIALLY_REFUNDED",
    );
    expect(afterSalesStatusOf(order("SHIPPED", { L1: 3, L2: 1 }), [request("SUCCEEDED", [["L1", 3]])])).toBe(
      "REFUNDED",
    );
  });
});
