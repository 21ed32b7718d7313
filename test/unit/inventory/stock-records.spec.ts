import type { ReservationRecord } from "../../../services/inventory/domain/reservation-fold";
import { figuresFromHash, hashFields } from "../../../services/inventory/domain/stock-figures";
import { decodeReservation, encodeReservation } from "../../../services/inventory/stock/reservation-codec";
import { parseReply } from "../../../services/inventory/stock/script-reply";

describe("stock hash figures", () => {
  it("reads per-warehouse counters with available = on hand - reserved - safety, ignoring the marker field", () => {
    const hash = { _: "1", ...hashFields("W2", { onHand: 3, reserved: 1, safetyStock: 1 }), "W1:on": "10" };
    expect(figuresFromHash(hash)).toEqual([
      { warehouseId: "W1", onHand: 10, reserved: 0, safetyStock: 0, available: 10 },
      { warehouseId: "W2", onHand: 3, reserved: 1, safetyStock: 1, available: 1 },
    ]);
  });
});

describe("reservation records", () => {
  const record: ReservationRecord = {
    reservationId: "R1",
    buyerId: "b1",
    province: "Hubei",
    status: "DEDUCTED",
    lines: [
      {
        skuId: "A",
        lineId: "L1",
        warehouseId: "W1",
        quantity: 2,
        strategy: "DEDUCT_ON_PAYMENT",
        countsLimit: true,
        deductedFrom: "W2",
        shipped: 1,
        unreserved: 0,
      },
      {
        skuId: "B",
        lineId: "L2",
        warehouseId: "W1",
        quantity: 4,
        strategy: "RESERVE_ON_ORDER",
        countsLimit: false,
        deductedFrom: "W1",
        shipped: 0,
        unreserved: 4,
      },
    ],
    shipments: { "P:1": [{ skuId: "A", warehouseId: "W2", quantity: 1 }] },
    releases: { X1: [{ skuId: "B", warehouseId: "W1", quantity: 4 }] },
  };

  it("round-trips through the hash the Lua scripts write", () => {
    expect(decodeReservation("R1", encodeReservation(record))).toEqual(record);
  });

  it("reads lines and applied shipments as the ship and unreserve scripts write them", () => {
    const hash = {
      status: "DEDUCTED",
      buyer: "b1",
      prov: "Hubei",
      "l:A": '{"dwh":"W2","lim":1,"line":"L1","qty":2,"sh":1,"strategy":"DEDUCT_ON_PAYMENT","wh":"W1"}',
      "l:B": '{"wh":"W1","qty":4,"line":"L2","strategy":"RESERVE_ON_ORDER","lim":0,"dwh":"W1","ur":4}',
      "sh:P:1": '[["A","W2",1]]',
      "ur:X1": '[["B","W1",4]]',
    };
    expect(decodeReservation("R1", hash)).toEqual(record);
  });

  it("reads a tombstone as a record without lines, and no hash as no record", () => {
    expect(decodeReservation("R2", { status: "RELEASED" })?.lines).toEqual([]);
    expect(decodeReservation("R3", {})).toBeNull();
  });
});

describe("parseReply", () => {
  it("turns structured script errors into catalogue errors naming the SKU", () => {
    const out = JSON.stringify({ error: "OUT_OF_STOCK", skuId: "A", requested: 3, available: -2 });
    expect(() => parseReply(out)).toThrow(
      expect.objectContaining({ type: "OUT_OF_STOCK", data: { skuId: "A", requested: 3, available: 0 } }),
    );
    const limit = JSON.stringify({ error: "PURCHASE_LIMIT_EXCEEDED", skuId: "A", limit: 1, used: 1 });
    expect(() => parseReply(limit)).toThrow(
      expect.objectContaining({ type: "PURCHASE_LIMIT_EXCEEDED", data: { skuId: "A", limit: 1, used: 1 } }),
    );
    expect(() => parseReply(JSON.stringify({ error: "NOT_HELD", status: "RELEASED" }), "R1")).toThrow(
      expect.objectContaining({
        type: "INVALID_TRANSITION",
        data: { reservationId: "R1", state: "RELEASED", event: "deduct" },
      }),
    );
  });

  it("signals a retry while counters are rebuilt", () => {
    expect(() => parseReply(JSON.stringify({ error: "NOT_READY" }))).toThrow(
      expect.objectContaining({ reason: "NOT_READY" }),
    );
  });
});
