import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AFTER_SALES_GUARDS,
  AFTER_SALES_TABLE,
  type AfterSalesEvent,
  type AfterSalesFacts,
  type AfterSalesState,
  B2B_DISPATCH_TABLE,
  type B2bDispatchEvent,
  type B2bDispatchState,
  ORDER_STATE_TABLES,
  STANDARD_ORDER_GUARDS,
  STANDARD_ORDER_TABLE,
  type StandardOrderEvent,
  type StandardOrderFacts,
  type StandardOrderState,
} from "../../../services/order/domain/order-states";
import {
  allowedEvents,
  apply,
  type GuardMap,
  isTerminal,
  reachableStates,
  type StateTable,
} from "../../../shared/state-machine/engine";

/** A documented outcome: one target, or per set of facts a target (null: refused by guard). */
type Outcome<S, D> = S | readonly { readonly facts: D; readonly to: S | null }[];
type Expected<S extends string, E extends string, D> = {
  readonly [K in S]: { readonly [V in E]?: Outcome<S, D> };
};

const NOW = new Date("2024-06-18T12:00:00.000Z");
const base = { now: NOW, actor: "u-42", role: "system" as const, requestId: "req-9", eventId: "evt-9" };

/** The documented outcomes of DOMAIN.md 6.1, written independently of the table. */
const STANDARD_EXPECTED: Expected<StandardOrderState, StandardOrderEvent, StandardOrderFacts> = {
  PENDING_PAYMENT: {
    "pay.succeeded": [
      { facts: { stockAvailable: true }, to: "AWAITING_SHIPMENT" },
      { facts: { stockAvailable: false }, to: "CLOSED" },
    ],
    cancel: "CLOSED",
    "payment.timeout": "CLOSED",
    "price.changed": "PENDING_PAYMENT",
    "address.changed": "PENDING_PAYMENT",
  },
  AWAITING_SHIPMENT: {
    "address.changed": "AWAITING_SHIPMENT",
    "package.shipped": [
      { facts: { allPackagesShipped: true }, to: "SHIPPED" },
      { facts: { allPackagesShipped: false }, to: "PARTIALLY_SHIPPED" },
    ],
    "refund.completed": "CLOSED",
  },
  PARTIALLY_SHIPPED: {
    "package.shipped": [
      { facts: { allPackagesShipped: true }, to: "SHIPPED" },
      { facts: { allPackagesShipped: false }, to: "PARTIALLY_SHIPPED" },
    ],
    "package.intercepted": [
      { facts: { allPackagesShipped: true }, to: "SHIPPED" },
      { facts: { allPackagesShipped: false }, to: "PARTIALLY_SHIPPED" },
    ],
  },
  SHIPPED: { "receipt.confirmed": "COMPLETED", "autoconfirm.timeout": "COMPLETED" },
  COMPLETED: { "aftersales.window.closed": "FINISHED" },
  FINISHED: {},
  CLOSED: { "pay.succeeded": "CLOSED" },
};

/** Outcomes per after-sales type; null where that type is refused. */
const byType = (
  refundOnly: AfterSalesState | null,
  returnRefund: AfterSalesState,
  exchange: AfterSalesState,
) =>
  [
    { facts: { type: "REFUND_ONLY" }, to: refundOnly },
    { facts: { type: "RETURN_REFUND" }, to: returnRefund },
    { facts: { type: "EXCHANGE" }, to: exchange },
  ] as const;

const AFTER_SALES_TYPES = ["REFUND_ONLY", "RETURN_REFUND", "EXCHANGE"] as const;
/** Every combination of the after-sales facts: type, appealed, appeal window open, refund refused. */
const ALL_AFTER_SALES_FACTS: AfterSalesFacts[] = AFTER_SALES_TYPES.flatMap((type) =>
  [false, true].flatMap((appealed) =>
    [false, true].flatMap((appealWindowOpen) =>
      [false, true].map((refundRefused) => ({ type, appealed, appealWindowOpen, refundRefused })),
    ),
  ),
);

/** The documented outcomes of DOMAIN.md 6.3, with one appeal to the platform (docs/after-sales.md). */
const AFTER_SALES_EXPECTED: Expected<AfterSalesState, AfterSalesEvent, AfterSalesFacts> = {
  PENDING_REVIEW: {
    approve: byType("PENDING_REFUND", "AWAITING_BUYER_RETURN", "AWAITING_BUYER_RETURN"),
    // The shop's silence approves; the platform's (after an appeal) does not.
    "review.timeout": [
      ...byType("PENDING_REFUND", "AWAITING_BUYER_RETURN", "AWAITING_BUYER_RETURN").map((c) => ({
        facts: { ...c.facts, appealed: false },
        to: c.to,
      })),
      ...AFTER_SALES_TYPES.map((type) => ({ facts: { type, appealed: true }, to: null })),
    ],
    // The platform's rejection of an appeal is final.
    reject: [
      { facts: { appealed: false }, to: "REJECTED" },
      { facts: { appealed: true }, to: "CLOSED" },
    ],
    withdraw: "CLOSED",
  },
  REJECTED: {
    appeal: [
      { facts: { appealWindowOpen: true }, to: "PENDING_REVIEW" },
      { facts: { appealWindowOpen: false }, to: null },
    ],
    "appeal.timeout": "CLOSED",
    withdraw: "CLOSED",
  },
  AWAITING_BUYER_RETURN: {
    "buyer.shipped": "AWAITING_RETURN_RECEIPT",
    "return.timeout": "CLOSED",
    withdraw: "CLOSED",
  },
  AWAITING_RETURN_RECEIPT: {
    // A refund-only request never waits for a return, so receiving one for it is refused.
    "return.received": byType(null, "PENDING_REFUND", "AWAITING_EXCHANGE_SHIPMENT"),
    "receive.timeout": byType(null, "PENDING_REFUND", "AWAITING_EXCHANGE_SHIPMENT"),
  },
  PENDING_REFUND: {
    "refund.succeeded": "SUCCEEDED",
    "refund.failed": "PENDING_REFUND",
    // Only a refused refund is asked again; one on its way is not asked twice.
    "refund.retry": [
      { facts: { refundRefused: true }, to: "PENDING_REFUND" },
      { facts: { refundRefused: false }, to: null },
    ],
  },
  AWAITING_EXCHANGE_SHIPMENT: { "replacement.signed": "SUCCEEDED" },
  SUCCEEDED: {},
  CLOSED: {},
};

/** The documented outcomes of DOMAIN.md 6.4 (B2B dispatch). */
const B2B_EXPECTED: Expected<B2bDispatchState, B2bDispatchEvent, undefined> = {
  PENDING_DISPATCH: { "store.assigned": "PENDING_PAYMENT", "dispatch.timeout": "CLOSED", cancel: "CLOSED" },
  PENDING_PAYMENT: { "pay.succeeded": "PENDING_ACCEPTANCE", "payment.timeout": "CLOSED", cancel: "CLOSED" },
  PENDING_ACCEPTANCE: {
    "store.accepted": "PENDING_DELIVERY",
    "store.declined": "CLOSED",
    "acceptance.timeout": "CLOSED",
    cancel: "CLOSED",
  },
  PENDING_DELIVERY: { "delivery.confirmed": "PENDING_SETTLEMENT" },
  PENDING_SETTLEMENT: { "settlement.completed": "COMPLETED" },
  COMPLETED: {},
  CLOSED: { "pay.succeeded": "CLOSED" },
};

interface Case<S extends string, E extends string, D> {
  readonly table: StateTable<S, E, string, string>;
  readonly expected: Expected<S, E, D>;
  readonly guards: GuardMap<string, D>;
  /** Facts under which every guard can be evaluated, for the refused pairs. */
  readonly anyFacts: readonly D[];
  readonly terminal: readonly S[];
  readonly lateSelfRow?: { readonly state: S; readonly event: E; readonly effects: readonly string[] };
}

const CASES = [
  {
    table: STANDARD_ORDER_TABLE,
    expected: STANDARD_EXPECTED,
    guards: STANDARD_ORDER_GUARDS,
    anyFacts: [
      { stockAvailable: true, allPackagesShipped: true },
      { stockAvailable: false, allPackagesShipped: false },
    ],
    terminal: ["FINISHED", "CLOSED"],
    lateSelfRow: { state: "CLOSED", event: "pay.succeeded", effects: ["refundLatePayment"] },
  } satisfies Case<StandardOrderState, StandardOrderEvent, StandardOrderFacts>,
  {
    table: AFTER_SALES_TABLE,
    expected: AFTER_SALES_EXPECTED,
    guards: AFTER_SALES_GUARDS,
    anyFacts: ALL_AFTER_SALES_FACTS,
    terminal: ["SUCCEEDED", "CLOSED"],
  } satisfies Case<AfterSalesState, AfterSalesEvent, AfterSalesFacts>,
  {
    table: B2B_DISPATCH_TABLE,
    expected: B2B_EXPECTED,
    guards: {},
    anyFacts: [undefined],
    terminal: ["COMPLETED", "CLOSED"],
    lateSelfRow: { state: "CLOSED", event: "pay.succeeded", effects: ["refundLatePayment"] },
  } satisfies Case<B2bDispatchState, B2bDispatchEvent, undefined>,
] as Case<string, string, unknown>[];

/** Applies through the engine with whatever guards the table needs (the B2B table names none). */
function run(c: Case<string, string, unknown>, state: string, event: string, facts: unknown) {
  return apply(c.table as StateTable<string, string, string, string>, state, event, {
    ...base,
    facts,
    guards: c.guards,
  });
}

describe.each(CASES)("$table.name state table", (c) => {
  const pairs = c.table.states.flatMap((state) => c.table.events.map((event) => [state, event] as const));

  it("walks every (state, event) pair", () => {
    expect(pairs).toHaveLength(c.table.states.length * c.table.events.length);
    expect(Object.keys(c.table.transitions).sort()).toEqual([...c.table.states].sort());
  });

  it.each(pairs)("%s + %s gives the documented outcome", (state, event) => {
    const outcome = c.expected[state]?.[event];
    const cases = typeof outcome === "string" ? c.anyFacts.map((facts) => ({ facts, to: outcome })) : outcome;
    for (const { facts, to } of cases ?? c.anyFacts.map((facts) => ({ facts, to: null }))) {
      if (to === null) {
        let error: unknown;
        try {
          run(c, state, event, facts);
        } catch (err) {
          error = err;
        }
        expect(error).toMatchObject({ type: "INVALID_TRANSITION", code: 409, data: { state, event } });
      } else {
        const result = run(c, state, event, facts);
        expect(result).toMatchObject({
          from: state,
          to,
          timelineEntry: { from: state, to, event, at: NOW.toISOString() },
        });
      }
    }
  });

  it("reaches every state from the initial one, through the engine", () => {
    const seen = new Set([c.table.initial]);
    const queue = [c.table.initial];
    for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
      for (const event of c.table.events) {
        for (const facts of c.anyFacts) {
          try {
            const { to } = run(c, state, event, facts);
            if (!seen.has(to)) queue.push(to);
            seen.add(to);
          } catch (err) {
            if ((err as { type?: string }).type !== "INVALID_TRANSITION") throw err;
          }
        }
      }
    }
    expect(seen).toEqual(new Set(c.table.states));
    expect(reachableStates(c.table)).toEqual(new Set(c.table.states));
  });

  it("has no rows out of its terminal states except the documented late-payment self-row", () => {
    expect(c.table.states.filter((state) => isTerminal(c.table, state))).toEqual(c.terminal);
    for (const state of c.terminal) {
      const late = c.lateSelfRow?.state === state ? c.lateSelfRow : undefined;
      expect(allowedEvents(c.table, state)).toEqual(late ? [late.event] : []);
      if (late) {
        expect(c.table.transitions[state]?.[late.event]).toEqual({ to: state, effects: late.effects });
      }
    }
  });

  it("carries a version for orders to be bound to", () => {
    expect(c.table.version).toMatch(new RegExp(`^${c.table.name}@\\d+$`));
  });
});

describe("standard order effects", () => {
  const ctx = { ...base, guards: STANDARD_ORDER_GUARDS };

  it("releases stock, coupons and coins when the order closes unpaid", () => {
    expect(apply(STANDARD_ORDER_TABLE, "PENDING_PAYMENT", "cancel", { ...ctx, facts: {} }).effects).toEqual([
      "cancelTimeoutJob",
      "releaseStock",
      "returnCoupons",
      "returnCoins",
    ]);
    expect(
      apply(STANDARD_ORDER_TABLE, "PENDING_PAYMENT", "payment.timeout", { ...ctx, facts: {} }).effects,
    ).toEqual(["releaseStock", "returnCoupons", "returnCoins"]);
  });

  it("deducts stock and requests fulfilment on payment, or refunds when stock ran out", () => {
    const paid = apply(STANDARD_ORDER_TABLE, "PENDING_PAYMENT", "pay.succeeded", {
      ...ctx,
      facts: { stockAvailable: true },
    });
    expect(paid.effects).toEqual(["cancelTimeoutJob", "deductStock", "requestFulfilment"]);
    const short = apply(STANDARD_ORDER_TABLE, "PENDING_PAYMENT", "pay.succeeded", {
      ...ctx,
      facts: { stockAvailable: false },
    });
    expect(short.effects).toContain("refundPayment");
  });

  it("starts the auto-confirm timer only when the last package ships", () => {
    const last = { ...ctx, facts: { allPackagesShipped: true } };
    expect(apply(STANDARD_ORDER_TABLE, "PARTIALLY_SHIPPED", "package.shipped", last).effects).toEqual([
      "scheduleAutoConfirm",
    ]);
    const more = { ...ctx, facts: { allPackagesShipped: false } };
    expect(apply(STANDARD_ORDER_TABLE, "AWAITING_SHIPMENT", "package.shipped", more).effects).toEqual([]);
  });

  it("refuses to pick a branch when the guard's fact is missing", () => {
    expect(() =>
      apply(STANDARD_ORDER_TABLE, "PENDING_PAYMENT", "pay.succeeded", { ...ctx, facts: {} }),
    ).toThrow('needs the fact "stockAvailable"');
  });
});

describe("order state registry", () => {
  it("maps each order type to its table", () => {
    expect(ORDER_STATE_TABLES).toEqual({ STANDARD: STANDARD_ORDER_TABLE, B2B_DISPATCH: B2B_DISPATCH_TABLE });
  });

  it("keeps the domain file free of transport and storage imports", () => {
    const source = readFileSync(join(__dirname, "../../../services/order/domain/order-states.ts"), "utf8");
    expect(source).not.toMatch(/from "(moleculer|pg|ioredis)"/);
  });
});
