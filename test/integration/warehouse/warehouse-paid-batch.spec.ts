import { createPackages, paidOrderConsumer } from "../../../services/warehouse/commands/create-packages";
import type { WarehouseService } from "../../../services/warehouse/warehouse.service";
import type { OrderPaidPayload } from "../../../shared/contracts/order.contract";
import { type EventEnvelope, newEvent } from "../../../shared/outbox/outbox";
import {
  ADDRESS,
  orderNumber,
  packagesOf,
  paidOrder,
  publish,
  recorded,
  sku,
  uid,
  useWarehouseSystem,
  warehouses,
} from "./warehouse-harness";
import { inboxOf, observedDeps, storedFor } from "./warehouse-paid-batch-fixture";

type Paid = EventEnvelope<OrderPaidPayload>;
type Lines = { skuId: string; quantity: number }[];

/** `order.paid` consumed in batches: one statement per batch, the same rows as one event at a time. */
describe("warehouse: order.paid events written in batches", () => {
  const sys = useWarehouseSystem();
  const shopId = uid("shop");
  const [wh1, wh2] = [uid("wh1"), uid("wh2")];
  const NOW = new Date("2026-11-26T08:00:00.000Z");
  const PAID_AT = new Date("2026-11-26T07:59:00.000Z");
  const ok = { ok: true };
  let svc: WarehouseService;
  /** Orders of different shapes: one package, split by class and warehouse, split by weight. */
  let shapes: Lines[];

  beforeAll(async () => {
    svc = sys.broker.getLocalService("warehouse") as unknown as WarehouseService;
    await warehouses(sys, wh1, wh2);
    const item = await sku(sys, shopId, { stock: { [wh1]: 1000 } });
    const food = await sku(sys, shopId, { storageClass: "FOOD", stock: { [wh1]: 1000 } });
    const chemical = await sku(sys, shopId, { storageClass: "CHEMICAL", stock: { [wh1]: 1000 } });
    const elsewhere = await sku(sys, shopId, { stock: { [wh2]: 1000 } });
    const heavy = await sku(sys, shopId, { weightGrams: 8_000, stock: { [wh1]: 1000 } });
    shapes = [
      [{ skuId: item, quantity: 2 }],
      [
        { skuId: food, quantity: 2 },
        { skuId: chemical, quantity: 1 },
        { skuId: elsewhere, quantity: 3 },
      ],
      [{ skuId: heavy, quantity: 5 }],
      [
        { skuId: item, quantity: 1 },
        { skuId: heavy, quantity: 2 },
      ],
    ];
  });

  // Order numbers end in 7, so the parent's number (last digit 0) never equals the order's.
  const paid = (lines: Lines) =>
    paidOrder(sys, shopId, lines, { orderNo: `${orderNumber().slice(0, -1)}7`, occurredAt: PAID_AT });
  const paidOrders = async (shapesToPay: Lines[]) => {
    const events: Paid[] = [];
    for (const lines of shapesToPay) events.push(await paid(lines));
    return events;
  };
  const orderOf = (e: Paid) => ({ orderNo: e.payload.orderNo, buyerId: e.payload.buyerId });
  const stored = (e: Paid, eventIds = [e.eventId]) => storedFor(svc.pool, orderOf(e), eventIds);
  const BATCH_STATEMENT = "WITH paid AS";
  /** Each statement's first three words. */
  const starts = (statements: string[]) => statements.map((s) => s.split(" ").slice(0, 3).join(" "));

  it("writes a batch of paid orders in one statement, with the same rows as one event at a time", async () => {
    const alone = await paidOrders(shapes);
    const together = await paidOrders(shapes);

    const one = observedDeps(svc, NOW);
    for (const e of alone) expect(await createPackages(one.deps, [e])).toEqual([ok]);
    expect(starts(one.statements)).toEqual(alone.map(() => BATCH_STATEMENT));
    expect(one.kicks).toBe(alone.length);

    const batch = observedDeps(svc, NOW);
    expect(await createPackages(batch.deps, together)).toEqual(together.map(() => ok));
    expect(starts(batch.statements)).toEqual([BATCH_STATEMENT]);
    expect(batch.kicks).toBe(1);

    for (const [i, e] of together.entries()) {
      const rows = await stored(e);
      expect(rows).toEqual(await stored(alone[i] as Paid));
      expect(rows.fulfilment).toEqual([
        expect.objectContaining({
          order_no: "<order>",
          payment_no: "P<order>",
          paid_at: PAID_AT.toISOString(),
        }),
      ]);
      expect(rows.lines).toHaveLength(shapes[i]?.length ?? -1);
      expect(rows.packages.every((p) => p.status === "PENDING" && p.created_at === NOW.toISOString())).toBe(
        true,
      );
      expect(rows.packageLines.reduce((sum, l) => sum + l.quantity, 0)).toBe(
        shapes[i]?.reduce((sum, l) => sum + l.quantity, 0),
      );
      expect(rows.address).toEqual([
        { address: ADDRESS, changed_at: PAID_AT.toISOString(), event_id: "<event 0>" },
      ]);
      expect(rows.events).toEqual([
        {
          channel: "package.created",
          payload: { orderNo: "<order>", packageIds: rows.packages.map((p) => p.package_id) },
          occurred_at: NOW.toISOString(),
        },
      ]);
      expect(rows.inbox).toEqual([0]);
    }
    // The weight split made several packages of one order, all in the batch's statement.
    expect((await stored(together[2] as Paid)).packages.length).toBeGreaterThan(1);
  });

  it("applies an event twice in one batch once, and an order re-sent under a new event id once", async () => {
    const [a, b] = (await paidOrders([shapes[0] as Lines, shapes[1] as Lines])) as [Paid, Paid];
    const bResent = newEvent("order.paid", b.payload, PAID_AT);
    const seen = observedDeps(svc, NOW);
    expect(await createPackages(seen.deps, [a, b, a, bResent])).toEqual([ok, ok, ok, ok]);
    expect(starts(seen.statements)).toEqual([BATCH_STATEMENT]);

    const rowsA = await stored(a);
    expect(rowsA.fulfilment).toHaveLength(1);
    expect(rowsA.events).toHaveLength(1);
    expect(rowsA.inbox).toEqual([0]);
    const rowsB = await stored(b, [b.eventId, bResent.eventId]);
    expect(rowsB.fulfilment).toHaveLength(1);
    expect(rowsB.events).toHaveLength(1);
    expect(rowsB.packageLines.reduce((sum, l) => sum + l.quantity, 0)).toBe(6);
    // Both events are consumed; the first of the batch made the fulfilment.
    expect(rowsB.inbox).toEqual([0, 1]);
    expect(rowsB.address).toEqual([expect.objectContaining({ event_id: "<event 0>" })]);
  });

  it("adds nothing when a batch is delivered again, nor for its orders re-sent with a newer receiver", async () => {
    const events = await paidOrders(shapes);
    await createPackages(observedDeps(svc, NOW).deps, events);
    const before = await Promise.all(events.map((e) => stored(e)));

    const later = new Date(PAID_AT.getTime() + 60_000);
    const moved = { ...ADDRESS, detail: "99 Moved Street" };
    const resent = events.map((e) => newEvent("order.paid", { ...e.payload, address: moved }, later));
    const again = observedDeps(svc, new Date(NOW.getTime() + 120_000));
    const all = [...events, ...resent];
    expect(await createPackages(again.deps, all)).toEqual(all.map(() => ok));
    expect(starts(again.statements)).toEqual([BATCH_STATEMENT]);
    expect(again.kicks).toBe(0);

    expect(await Promise.all(events.map((e) => stored(e)))).toEqual(before);
    // A re-sent event finds the order fulfilled: only its inbox row is written, as when it came alone.
    expect(
      await inboxOf(
        svc.pool,
        resent.map((e) => e.eventId),
      ),
    ).toEqual(resent.map((_e, i) => i));
  });

  it("fails only the event it cannot plan, and writes the others in the same statement", async () => {
    const [good1, good2] = (await paidOrders([shapes[0] as Lines, shapes[2] as Lines])) as [Paid, Paid];
    const unknownSku = uid("gone");
    const bad = newEvent(
      "order.paid",
      {
        ...good1.payload,
        orderNo: `${orderNumber().slice(0, -1)}7`,
        lines: [{ lineId: "L1", skuId: unknownSku, quantity: 1, warehouseId: wh1 }],
      },
      PAID_AT,
    );
    const seen = observedDeps(svc, NOW);
    const outcomes = await createPackages(seen.deps, [good1, bad, good2]);
    expect(outcomes).toEqual([
      ok,
      { ok: false, error: expect.objectContaining({ message: expect.stringContaining(unknownSku) }) },
      ok,
    ]);
    // The batch's statement, then whether the failed event's order was fulfilled before.
    expect(starts(seen.statements)).toEqual([BATCH_STATEMENT, "SELECT order_no FROM"]);
    expect(seen.kicks).toBe(1);
    for (const e of [good1, good2]) expect((await stored(e)).events).toHaveLength(1);
    const rowsBad = await storedFor(svc.pool, { orderNo: bad.payload.orderNo, buyerId: "-" }, [bad.eventId]);
    expect(rowsBad).toMatchObject({ fulfilment: [], packages: [], address: [], events: [], inbox: [] });
  });

  it("counts an event it cannot plan as done when its order was fulfilled before", async () => {
    const [first] = (await paidOrders([shapes[0] as Lines])) as [Paid];
    await createPackages(observedDeps(svc, NOW).deps, [first]);
    const before = await stored(first);
    const unplannable = newEvent(
      "order.paid",
      { ...first.payload, lines: [{ lineId: "L1", skuId: uid("gone"), quantity: 1, warehouseId: wh1 }] },
      PAID_AT,
    );
    expect(await createPackages(observedDeps(svc, NOW).deps, [unplannable])).toEqual([ok]);
    expect(await stored(first)).toEqual(before);
    expect(await inboxOf(svc.pool, [unplannable.eventId])).toEqual([]);
  });

  it("retries a batch whose statement failed event by event, so only the bad event fails", async () => {
    const [g1, g2, g3] = (await paidOrders([shapes[0], shapes[1], shapes[3]] as Lines[])) as [
      Paid,
      Paid,
      Paid,
    ];
    const bad = newEvent(
      "order.paid",
      { ...g2.payload, orderNo: `${orderNumber().slice(0, -1)}7`, paymentNo: null as unknown as string },
      PAID_AT,
    );
    const seen = observedDeps(svc, NOW);
    const consume = paidOrderConsumer(seen.deps);
    const results = await Promise.allSettled([g1, g2, bad, g3].map((e) => consume(e)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    // g1 alone at once; g2, bad and g3 together (rolled back whole), then each alone.
    expect(starts(seen.statements)).toEqual(Array(5).fill(BATCH_STATEMENT));
    for (const e of [g1, g2, g3]) {
      const rows = await stored(e);
      expect(rows.fulfilment).toHaveLength(1);
      expect(rows.events).toHaveLength(1);
      expect(rows.inbox).toEqual([0]);
    }
    const rowsBad = await storedFor(svc.pool, { orderNo: bad.payload.orderNo, buyerId: "-" }, [bad.eventId]);
    expect(rowsBad).toMatchObject({ fulfilment: [], events: [], inbox: [] });
  });

  it("fulfils paid orders published together on the channel, each once", async () => {
    const events = await paidOrders([...shapes, ...shapes]);
    await Promise.all(events.map((e) => publish(sys, e)));
    for (const e of events) {
      const packages = await packagesOf(sys, e.payload.orderNo);
      expect(packages.map((p) => p.packageId)).toEqual(
        packages.map((_p, i) => `${e.payload.orderNo}-${i + 1}`),
      );
      expect(await recorded(svc.pool, "package.created", e.payload.orderNo)).toHaveLength(1);
    }
  });
});
