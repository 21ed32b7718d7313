import type { MovementKind } from "../../../services/inventory/domain/movement";
import { type FoldInput, foldReservations } from "../../../services/inventory/domain/reservation-fold";

const move = (
  kind: MovementKind,
  reservationId: string,
  skuId: string,
  extra: Partial<FoldInput> = {},
): FoldInput => ({
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
        },
        {
          skuId: "B",
          lineId: "L-B",
          warehouseId: "W1",
          quantity: 2,
          strategy: "DEDUCT_ON_PAYMENT",
          countsLimit: true,
          deductedFrom: null,
        },
      ],
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

  it("folds several reservations apart and ignores adjustments and closings without an opening", () => {
    const records = foldReservations([
      move("RESERVE", "R2", "A"),
      move("RESERVE", "R1", "A"),
      move("RELEASE", "R1", "A"),
      move("RELEASE", "R3", "A"),
      { ...move("ADJUST", "", "A"), reservationId: null },
    ]);
    expect(records.map((r) => [r.reservationId, r.status])).toEqual([
      ["R1", "RELEASED"],
      ["R2", "HELD"],
    ]);
  });
});
