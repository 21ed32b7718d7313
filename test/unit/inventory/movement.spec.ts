import { decodeMovements, sumStockDeltas } from "../../../services/inventory/domain/movement";

const wire = {
  id: "R1:A:RESERVE",
  kind: "RESERVE",
  res: "R1",
  sku: "A",
  wh: "W1",
  buyer: "b1",
  line: "L1",
  strategy: "RESERVE_ON_ORDER",
  prov: "Zhejiang",
  qty: 2,
  dOn: 0,
  dRes: 2,
  dSafe: 0,
  lim: 1,
  at: 1_700_000_000_123,
};

describe("decodeMovements", () => {
  it("decodes the movements a Lua script appended", () => {
    expect(decodeMovements("1-0", JSON.stringify([wire]))).toEqual([
      {
        movementId: "R1:A:RESERVE",
        streamId: "1-0",
        kind: "RESERVE",
        reservationId: "R1",
        skuId: "A",
        warehouseId: "W1",
        buyerId: "b1",
        lineId: "L1",
        strategy: "RESERVE_ON_ORDER",
        province: "Zhejiang",
        quantity: 2,
        onHandDelta: 0,
        reservedDelta: 2,
        safetyDelta: 0,
        countsLimit: true,
        occurredAt: new Date(1_700_000_000_123),
      },
    ]);
  });

  it("reads an adjustment without reservation fields", () => {
    const adjust = { id: "adjust:u:A:W1", kind: "ADJUST", sku: "A", wh: "W1", qty: 9, dOn: 4, at: 1 };
    const [m] = decodeMovements("2-0", JSON.stringify([adjust]));
    expect(m).toMatchObject({
      reservationId: null,
      buyerId: null,
      onHandDelta: 4,
      reservedDelta: 0,
      countsLimit: false,
    });
  });

  it("reads an empty Lua table (encoded as an object) as no movements", () => {
    expect(decodeMovements("3-0", "{}")).toEqual([]);
  });

  it("refuses an unknown kind or a fractional quantity", () => {
    expect(() => decodeMovements("4-0", JSON.stringify([{ ...wire, kind: "STEAL" }]))).toThrow(/Malformed/);
    expect(() => decodeMovements("4-0", JSON.stringify([{ ...wire, qty: 1.5 }]))).toThrow(/Malformed/);
  });
});

describe("sumStockDeltas", () => {
  it("sums deltas per SKU and warehouse in key order, skipping movements that change no stock", () => {
    const [reserve] = decodeMovements("1-0", JSON.stringify([wire]));
    const moves = decodeMovements(
      "5-0",
      JSON.stringify([
        { ...wire, id: "R2:B:RESERVE", sku: "B" },
        { ...wire, id: "R2:A:CHECK", kind: "CHECK", dRes: 0 },
        { ...wire, id: "R3:A:DEDUCT", kind: "DEDUCT", dOn: -2, dRes: -2 },
        { id: "adjust:x", kind: "ADJUST", sku: "C", wh: "W1", qty: 0, at: 1 },
      ]),
    );
    expect(sumStockDeltas([reserve!, ...moves])).toEqual([
      { skuId: "A", warehouseId: "W1", onHand: -2, reserved: 0, safety: 0 },
      { skuId: "B", warehouseId: "W1", onHand: 0, reserved: 2, safety: 0 },
      { skuId: "C", warehouseId: "W1", onHand: 0, reserved: 0, safety: 0 },
    ]);
  });
});
