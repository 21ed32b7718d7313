import fc from "fast-check";
import {
  type Drift,
  diffLimits,
  diffReservations,
  driftByKind,
  driftFingerprint,
  limitCounts,
  reconcile,
} from "../../../services/inventory/domain/drift";

const row = (skuId: string, warehouseId: string, onHand: number, reserved = 0, safetyStock = 0) => ({
  skuId,
  warehouseId,
  onHand,
  reserved,
  safetyStock,
});
const none = { redisLimits: [], ledgerLimits: [], redisHeld: [], ledgerHeld: [] };

describe("reconcile", () => {
  it("finds no drift when Redis, the stock table and the movements agree", () => {
    const rows = [row("A", "W1", 5, 2), row("B", "W1", 0)];
    expect(reconcile({ redisStock: rows, stockTable: rows, ledgerSums: rows, ...none })).toEqual([]);
  });

  it("treats a missing row as zeros", () => {
    expect(reconcile({ redisStock: [row("A", "W1", 0)], stockTable: [], ledgerSums: [], ...none })).toEqual(
      [],
    );
  });

  it("lists a Redis counter that differs from the stock of record", () => {
    const table = [row("A", "W1", 5, 2)];
    expect(
      reconcile({ redisStock: [row("A", "W1", 5, 3)], stockTable: table, ledgerSums: table, ...none }),
    ).toEqual([
      {
        kind: "STOCK",
        skuId: "A",
        warehouseId: "W1",
        redis: { onHand: 5, reserved: 3, safetyStock: 0 },
        ledger: { onHand: 5, reserved: 2, safetyStock: 0 },
      },
    ]);
  });

  it("lists a stock row missing from Redis and a stock table that disagrees with its movements", () => {
    const drift = reconcile({
      redisStock: [],
      stockTable: [row("A", "W1", 5)],
      ledgerSums: [row("A", "W1", 4)],
      ...none,
    });
    expect(drift).toEqual([
      {
        kind: "STOCK",
        skuId: "A",
        warehouseId: "W1",
        redis: null,
        ledger: { onHand: 5, reserved: 0, safetyStock: 0 },
      },
      {
        kind: "LEDGER",
        skuId: "A",
        warehouseId: "W1",
        stockTable: { onHand: 5, reserved: 0, safetyStock: 0 },
        ledger: { onHand: 4, reserved: 0, safetyStock: 0 },
      },
    ]);
  });
});

describe("diffLimits", () => {
  it("lists purchase-limit counters that differ, a missing one counting as zero", () => {
    expect(
      diffLimits(
        [
          { skuId: "A", buyerId: "b1", used: 2 },
          { skuId: "A", buyerId: "b2", used: 1 },
        ],
        [{ skuId: "A", buyerId: "b1", used: 2 }],
      ),
    ).toEqual([{ kind: "LIMIT", skuId: "A", buyerId: "b2", redis: { used: 1 }, ledger: { used: 0 } }]);
  });
});

describe("limitCounts", () => {
  it("counts paid and shipped units, gives back unreserved and released ones, and drops pairs at zero", () => {
    expect(
      limitCounts([
        { skuId: "A", buyerId: "b1", kind: "RESERVE", quantity: 5 },
        { skuId: "A", buyerId: "b1", kind: "DEDUCT", quantity: 5 },
        { skuId: "A", buyerId: "b1", kind: "SHIP", quantity: 3 },
        { skuId: "A", buyerId: "b1", kind: "UNRESERVE", quantity: 2 },
        { skuId: "B", buyerId: "b1", kind: "CHECK", quantity: 2 },
        { skuId: "B", buyerId: "b1", kind: "DEDUCT", quantity: 2 },
        { skuId: "A", buyerId: "b2", kind: "RESERVE", quantity: 1 },
        { skuId: "A", buyerId: "b2", kind: "RELEASE", quantity: 1 },
      ]),
    ).toEqual([
      { skuId: "A", buyerId: "b1", used: 3 },
      { skuId: "B", buyerId: "b1", used: 2 },
    ]);
  });

  it("agrees with Redis after a partial shipment and an unreserve, so reconcile reports nothing", () => {
    const ledgerLimits = limitCounts([
      { skuId: "A", buyerId: "b1", kind: "RESERVE", quantity: 4 },
      { skuId: "A", buyerId: "b1", kind: "SHIP", quantity: 2 },
      { skuId: "A", buyerId: "b1", kind: "UNRESERVE", quantity: 1 },
    ]);
    const rows = [row("A", "W1", 8, 1)];
    expect(
      reconcile({
        redisStock: rows,
        stockTable: rows,
        ledgerSums: rows,
        redisLimits: [{ skuId: "A", buyerId: "b1", used: 3 }],
        ledgerLimits,
        redisHeld: [],
        ledgerHeld: [],
      }),
    ).toEqual([]);
  });
});

describe("diffReservations", () => {
  it("lists reservations held on one side only", () => {
    expect(diffReservations(["R1", "R2"], ["R2", "R3"])).toEqual([
      { kind: "RESERVATION", reservationId: "R1", redis: { held: true }, ledger: { held: false } },
      { kind: "RESERVATION", reservationId: "R3", redis: { held: false }, ledger: { held: true } },
    ]);
  });
});

describe("what a stock check tells", () => {
  const stock = (skuId: string, onHand: number): Drift => ({
    kind: "STOCK",
    skuId,
    warehouseId: "W1",
    redis: { onHand, reserved: 0, safetyStock: 0 },
    ledger: { onHand: 5, reserved: 0, safetyStock: 0 },
  });
  const held = (reservationId: string): Drift => ({
    kind: "RESERVATION",
    reservationId,
    redis: { held: true },
    ledger: { held: false },
  });
  const limit = (buyerId: string): Drift => ({
    kind: "LIMIT",
    skuId: "A",
    buyerId,
    redis: { used: 2 },
    ledger: { used: 1 },
  });

  it("counts the drifts of each kind found", () => {
    expect(driftByKind([stock("A", 1), stock("B", 2), held("R1")])).toEqual({ STOCK: 2, RESERVATION: 1 });
    expect(driftByKind([])).toEqual({});
  });

  it("gives clean checks no fingerprint", () => {
    expect(driftFingerprint([])).toBeNull();
  });

  it("fingerprints what differs, not by how much nor in which order", () => {
    const ids = fc.uniqueArray(fc.stringMatching(/^[A-Z][0-9]{0,3}$/), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(ids, fc.integer({ min: 0, max: 99 }), (skus, shift) => {
        const found = skus.map((sku, i) => stock(sku, i));
        const later = [...skus].reverse().map((sku, i) => stock(sku, i + shift));
        expect(driftFingerprint(later)).toBe(driftFingerprint(found));
      }),
    );
  });

  it("fingerprints a different set of drifts differently", () => {
    const base = [stock("A", 1), held("R1")];
    const fingerprint = driftFingerprint(base);
    expect(driftFingerprint([stock("A", 1)])).not.toBe(fingerprint);
    expect(driftFingerprint([...base, limit("b1")])).not.toBe(fingerprint);
    expect(driftFingerprint([stock("B", 1), held("R1")])).not.toBe(fingerprint);
    // The same SKU and warehouse under another kind is another drift.
    const counters = { onHand: 1, reserved: 0, safetyStock: 0 };
    const ledger: Drift = {
      kind: "LEDGER",
      skuId: "A",
      warehouseId: "W1",
      stockTable: counters,
      ledger: null,
    };
    expect(driftFingerprint([ledger])).not.toBe(driftFingerprint([stock("A", 1)]));
  });
});
