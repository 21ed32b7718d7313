import {
  appliedIdOf,
  decodeMovements,
  LIMIT_EFFECT,
  returnIdOf,
} from "../../../services/inventory/domain/movement";
import { RESERVE_WIRE } from "../../support/movement-wire";

const wire = RESERVE_WIRE;

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

  it("reads the movements of shipping, unreserving and restocking", () => {
    const moves = decodeMovements(
      "6-0",
      JSON.stringify([
        { ...wire, id: "R1:A:SHIP:P1", kind: "SHIP", dOn: -2, dRes: -2 },
        { ...wire, id: "R1:A:UNRESERVE:X1", kind: "UNRESERVE", dRes: -1, qty: 1 },
        { id: "restock:RT1:A:W1", kind: "RESTOCK", sku: "A", wh: "W1", qty: 3, dOn: 3, lim: 0, at: 2 },
      ]),
    );
    expect(moves.map((m) => [m.kind, m.onHandDelta, m.reservedDelta, m.countsLimit])).toEqual([
      ["SHIP", -2, -2, true],
      ["UNRESERVE", 0, -1, true],
      ["RESTOCK", 3, 0, false],
    ]);
  });

  it("refuses an unknown kind or a fractional quantity", () => {
    expect(() => decodeMovements("4-0", JSON.stringify([{ ...wire, kind: "STEAL" }]))).toThrow(/Malformed/);
    expect(() => decodeMovements("4-0", JSON.stringify([{ ...wire, qty: 1.5 }]))).toThrow(/Malformed/);
  });
});

describe("movement ids after payment", () => {
  it("reads the shipment or release id back, colons in the reservation and shipment ids included", () => {
    const ship = { movementId: "2026:child:1:A:SHIP:pkg:7", reservationId: "2026:child:1", skuId: "A" };
    expect(appliedIdOf({ ...ship, kind: "SHIP" })).toBe("pkg:7");
    expect(
      appliedIdOf({ movementId: "R1:B:UNRESERVE:X1", reservationId: "R1", skuId: "B", kind: "UNRESERVE" }),
    ).toBe("X1");
    expect(() => appliedIdOf({ ...ship, kind: "UNRESERVE" })).toThrow(/carries no UNRESERVE id/);
  });

  it("reads the return id of a restock", () => {
    expect(returnIdOf({ movementId: "restock:AS:9:A:W1", skuId: "A", warehouseId: "W1" })).toBe("AS:9");
  });
});

describe("LIMIT_EFFECT", () => {
  it("counts reserved and checked units, gives back released and unreserved ones, and keeps paid and shipped ones", () => {
    expect(LIMIT_EFFECT).toEqual({
      RESERVE: 1,
      CHECK: 1,
      RELEASE: -1,
      DEDUCT: 0,
      SHIP: 0,
      UNRESERVE: -1,
      RESTOCK: 0,
      ADJUST: 0,
    });
  });
});
