import type { MovementKind } from "../../../services/inventory/domain/movement";
import {
  type FoldInput,
  foldReservations,
  isOpen,
  type ReservationLine,
} from "../../../services/inventory/domain/reservation-fold";

const move = (
  kind: MovementKind,
  reservationId: string,
  skuId: string,
  extra: Partial<FoldInput> = {},
): FoldInput => ({
  movementId: `${reservationId}:${skuId}:${kind}`,
  kind,
  reservationId,
  skuId,
  warehouseId: "W1",
  buyerId: "b1",
  lineId: `L-${skuId}`,
  strategy: kind === "CHECK" ? "DEDUCT_ON_PAYMENT" : "RESERVE_ON_ORDER",
  province: "Zhejiang",
  quantity: 2,
  countsLimit: false,
  ...extra,
});
/** A SHIP or UNRESERVE movement of one shipment or release. */
const applied = (
  kind: "SHIP" | "UNRESERVE",
  reservationId: string,
  skuId: string,
  id: string,
  quantity: number,
  extra: Partial<FoldInput> = {},
): FoldInput =>
  move(kind, reservationId, skuId, {
    movementId: `${reservationId}:${skuId}:${kind}:${id}`,
    quantity,
    ...extra,
  });

describe("foldReservations", () => {
  it("keeps a reservation HELD while a line has no release or deduction", () => {
    const [record] = foldReservations([
      move("RESERVE", "R1", "A"),
      move("CHECK", "R1", "B", { countsLimit: true }),
    ]);
    expect(record).toEqual({
      reservationId: "R1",
      buyerId: "b1",
      province: "Zhejiang",
      status: "HELD",
      lines: [
        {
          skuId: "A",
          lineId: "L-A",
          warehouseId: "W1",
          quantity: 2,
          strategy: "RESERVE_ON_ORDER",
          countsLimit: false,
          deductedFrom: null,
          shipped: 0,
          unreserved: 0,
        },
        {
          skuId: "B",
          lineId: "L-B",
          warehouseId: "W1",
          quantity: 2,
          strategy: "DEDUCT_ON_PAYMENT",
          countsLimit: true,
          deductedFrom: null,
          shipped: 0,
          unreserved: 0,
        },
      ],
      shipments: {},
      releases: {},
    });
  });

  it("marks a reservation RELEASED once every line is released", () => {
    const records = foldReservations([
      move("RESERVE", "R1", "A"),
      move("CHECK", "R1", "B"),
      move("RELEASE", "R1", "A"),
      move("RELEASE", "R1", "B"),
    ]);
    expect(records.map((r) => r.status)).toEqual(["RELEASED"]);
  });

  it("marks a reservation DEDUCTED with the warehouse each line was deducted from, in any row order", () => {
    const [record] = foldReservations([
      move("DEDUCT", "R1", "B", { warehouseId: "W2" }),
      move("CHECK", "R1", "B"),
      move("RESERVE", "R1", "A"),
      move("DEDUCT", "R1", "A"),
    ]);
    expect(record?.status).toBe("DEDUCTED");
    expect(record?.lines.map((l) => [l.skuId, l.warehouseId, l.deductedFrom])).toEqual([
      ["A", "W1", "W1"],
      ["B", "W1", "W2"],
    ]);
  });

  it("folds several reservations apart and ignores adjustments, restocks and closings without an opening", () => {
    const records = foldReservations([
      move("RESERVE", "R2", "A"),
      move("RESERVE", "R1", "A"),
      move("RELEASE", "R1", "A"),
      move("RELEASE", "R3", "A"),
      { ...move("ADJUST", "", "A"), reservationId: null },
      { ...move("RESTOCK", "", "A"), movementId: "restock:RT1:A:W1", reservationId: null },
    ]);
    expect(records.map((r) => [r.reservationId, r.status])).toEqual([
      ["R1", "RELEASED"],
      ["R2", "HELD"],
    ]);
  });

  it("restores shipped and unreserved units per line and every applied shipment and release, in any row order", () => {
    const rows = [
      move("RESERVE", "R1:child:1", "A", { quantity: 5, countsLimit: true }),
      move("DEDUCT", "R1:child:1", "A", { quantity: 5 }),
      move("CHECK", "R1:child:1", "B", { quantity: 3 }),
      move("DEDUCT", "R1:child:1", "B", { quantity: 3, warehouseId: "W2" }),
      applied("SHIP", "R1:child:1", "A", "P1", 2),
      applied("SHIP", "R1:child:1", "B", "P1", 1, { warehouseId: "W2" }),
      applied("SHIP", "R1:child:1", "A", "P:2", 1),
      applied("UNRESERVE", "R1:child:1", "A", "X1", 1),
    ];
    for (const order of [rows, [...rows].reverse()]) {
      const [record] = foldReservations(order);
      expect(record?.status).toBe("DEDUCTED");
      expect(
        record?.lines.map((l) => [l.skuId, l.deductedFrom, l.quantity, l.shipped, l.unreserved]),
      ).toEqual([
        ["A", "W1", 5, 3, 1],
        ["B", "W2", 3, 1, 0],
      ]);
      expect(record?.shipments).toEqual({
        P1: [
          { skuId: "A", warehouseId: "W1", quantity: 2 },
          { skuId: "B", warehouseId: "W2", quantity: 1 },
        ],
        "P:2": [{ skuId: "A", warehouseId: "W1", quantity: 1 }],
      });
      expect(record?.releases).toEqual({ X1: [{ skuId: "A", warehouseId: "W1", quantity: 1 }] });
      expect(record && isOpen(record)).toBe(true);
    }
  });
});

describe("isOpen", () => {
  const line = (shipped: number, unreserved: number): ReservationLine => ({
    skuId: "A",
    lineId: "L-A",
    warehouseId: "W1",
    quantity: 3,
    strategy: "RESERVE_ON_ORDER",
    countsLimit: false,
    deductedFrom: "W1",
    shipped,
    unreserved,
  });

  it("keeps a paid reservation open until every unit is shipped or given back", () => {
    expect(isOpen({ status: "HELD", lines: [line(0, 0)] })).toBe(true);
    expect(isOpen({ status: "DEDUCTED", lines: [line(2, 0)] })).toBe(true);
    expect(isOpen({ status: "DEDUCTED", lines: [line(2, 1)] })).toBe(false);
    expect(isOpen({ status: "RELEASED", lines: [line(0, 0)] })).toBe(false);
  });
});
