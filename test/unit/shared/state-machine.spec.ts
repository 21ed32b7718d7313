import {
  allowedEvents,
  apply,
  isTerminal,
  reachableStates,
  type StateTable,
  type TransitionMap,
} from "../../../shared/state-machine/engine";

type DoorState = "OPEN" | "CLOSED" | "LOCKED" | "BROKEN";
type DoorEvent = "close" | "open" | "lock" | "unlock" | "kick" | "paint";
type DoorGuard = "hasKey" | "isStrong";
interface DoorFacts {
  readonly hasKey: boolean;
  readonly strong: boolean;
}

const DOOR: StateTable<DoorState, DoorEvent, DoorGuard, "log" | "alarm" | "repaint"> = {
  name: "DOOR",
  version: "DOOR@1",
  initial: "OPEN",
  states: ["OPEN", "CLOSED", "LOCKED", "BROKEN"],
  events: ["close", "open", "lock", "unlock", "kick", "paint"],
  transitions: {
    OPEN: { close: { to: "CLOSED", effects: ["log"] }, paint: { to: "OPEN", effects: ["repaint"] } },
    CLOSED: { open: { to: "OPEN" }, lock: { to: "LOCKED", guard: "hasKey" } },
    LOCKED: {
      unlock: { to: "CLOSED", guard: "hasKey" },
      kick: [
        { to: "BROKEN", guard: "isStrong", effects: ["alarm"] },
        { to: "LOCKED", guard: "hasKey" },
      ],
    },
    BROKEN: { paint: { to: "BROKEN" } },
  },
};

const GUARDS = { hasKey: (f: DoorFacts) => f.hasKey, isStrong: (f: DoorFacts) => f.strong };
const NOW = new Date("2024-11-11T00:00:00.000Z");

function context(facts: Partial<DoorFacts> = {}) {
  return {
    now: NOW,
    actor: "u-1001",
    role: "buyer" as const,
    reason: "door test",
    requestId: "req-1",
    eventId: "evt-1",
    facts: { hasKey: false, strong: false, ...facts },
    guards: GUARDS,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !(value instanceof Date) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The error `fn` throws, or a failure if it returns. */
function thrown(fn: () => unknown): { type?: string; code?: number; data?: unknown; message?: string } {
  try {
    fn();
  } catch (err) {
    return err as { type?: string };
  }
  throw new Error("expected a throw");
}

describe("state machine engine", () => {
  it("applies a row and builds the timeline entry from the context alone", () => {
    const result = apply(DOOR, "OPEN", "close", {
      ...context(),
      changes: [{ field: "note", before: "a", after: "b" }],
    });
    expect(result).toEqual({
      from: "OPEN",
      to: "CLOSED",
      effects: ["log"],
      timelineEntry: {
        at: "2024-11-11T00:00:00.000Z",
        actor: "u-1001",
        role: "buyer",
        event: "close",
        from: "OPEN",
        to: "CLOSED",
        reason: "door test",
        requestId: "req-1",
        eventId: "evt-1",
        changes: [{ field: "note", before: "a", after: "b" }],
      },
    });
  });

  it("records null for missing reason, request id and event id and omits absent changes", () => {
    const facts = { hasKey: false, strong: false };
    const { timelineEntry } = apply(DOOR, "CLOSED", "open", {
      now: NOW,
      actor: "system",
      role: "system",
      facts,
      guards: GUARDS,
    });
    expect(timelineEntry).toEqual({
      at: NOW.toISOString(),
      actor: "system",
      role: "system",
      event: "open",
      from: "CLOSED",
      to: "OPEN",
      reason: null,
      requestId: null,
      eventId: null,
    });
    expect("changes" in timelineEntry).toBe(false);
  });

  it("throws INVALID_TRANSITION 409 with {state, event} and changes nothing", () => {
    const table = deepFreeze(structuredClone(DOOR));
    const ctx = deepFreeze(context({ hasKey: true }));
    const err = thrown(() => apply(table, "OPEN", "lock", ctx));
    expect(err).toMatchObject({
      type: "INVALID_TRANSITION",
      code: 409,
      data: { state: "OPEN", event: "lock" },
    });
    expect(err.data).toEqual({ state: "OPEN", event: "lock" });
    expect(table).toEqual(DOOR);
  });

  it("rejects every event in a state without rows", () => {
    const noRows: StateTable<"A" | "B", "go"> = {
      name: "T",
      version: "T@1",
      initial: "A",
      states: ["A", "B"],
      events: ["go"],
      transitions: { A: { go: { to: "B" } }, B: {} },
    };
    expect(thrown(() => apply(noRows, "B", "go", { now: NOW, actor: "x", role: "system" }))).toMatchObject({
      type: "INVALID_TRANSITION",
      data: { state: "B", event: "go" },
    });
  });

  it("does not mistake prototype names or unknown states for rows", () => {
    for (const [state, event] of [
      ["OPEN", "toString"],
      ["OPEN", "__proto__"],
      ["constructor", "close"],
      ["GONE", "close"],
    ]) {
      const err = thrown(() => apply(DOOR, state as DoorState, event as DoorEvent, context()));
      expect(err).toMatchObject({ type: "INVALID_TRANSITION", code: 409, data: { state, event } });
    }
  });

  it("refuses a guarded row whose guard fails, naming the guard", () => {
    const err = thrown(() => apply(DOOR, "CLOSED", "lock", context({ hasKey: false })));
    expect(err).toMatchObject({ type: "INVALID_TRANSITION", code: 409 });
    expect(err.data).toEqual({ state: "CLOSED", event: "lock", guard: "hasKey" });
    expect(apply(DOOR, "CLOSED", "lock", context({ hasKey: true })).to).toBe("LOCKED");
  });

  it("picks the first conditional row whose guard holds", () => {
    expect(apply(DOOR, "LOCKED", "kick", context({ strong: true, hasKey: true }))).toMatchObject({
      to: "BROKEN",
      effects: ["alarm"],
    });
    expect(apply(DOOR, "LOCKED", "kick", context({ strong: false, hasKey: true }))).toMatchObject({
      to: "LOCKED",
      effects: [],
    });
    expect(thrown(() => apply(DOOR, "LOCKED", "kick", context())).data).toEqual({
      state: "LOCKED",
      event: "kick",
      guard: "isStrong|hasKey",
    });
  });

  it("fails loudly when a guard the table names was not supplied", () => {
    const guards = { hasKey: GUARDS.hasKey } as unknown as typeof GUARDS;
    expect(() => apply(DOOR, "LOCKED", "kick", { ...context(), guards })).toThrow(
      "guard isStrong was not supplied",
    );
  });

  it("applies a self-loop row, and again on re-delivery, with the same outcome", () => {
    const first = apply(DOOR, "OPEN", "paint", context());
    const again = apply(DOOR, first.to, "paint", context());
    expect(first).toMatchObject({ from: "OPEN", to: "OPEN", effects: ["repaint"] });
    expect(again).toEqual(first);
  });

  it("hands out effects the caller cannot use to edit the table", () => {
    const result = apply(DOOR, "OPEN", "close", context());
    (result.effects as string[]).push("alarm");
    expect(DOOR.transitions.OPEN.close).toEqual({ to: "CLOSED", effects: ["log"] });
  });

  it("lists allowed events, terminal states and reachable states", () => {
    expect(allowedEvents(DOOR, "OPEN")).toEqual(["close", "paint"]);
    expect(allowedEvents(DOOR, "LOCKED")).toEqual(["unlock", "kick"]);
    expect(DOOR.states.filter((s) => isTerminal(DOOR, s))).toEqual(["BROKEN"]);
    expect(reachableStates(DOOR)).toEqual(new Set(DOOR.states));
  });

  it("does not count a state only reachable from an orphan as reachable", () => {
    const orphan: StateTable<"A" | "B" | "C", "go"> = {
      name: "T",
      version: "T@1",
      initial: "A",
      states: ["A", "B", "C"],
      events: ["go"],
      transitions: { A: {}, B: { go: { to: "C" } }, C: {} },
    };
    expect(reachableStates(orphan)).toEqual(new Set(["A"]));
  });

  it("refuses to compile a missing or misspelled state, event or target", () => {
    type S = "A" | "B";
    // @ts-expect-error state B is missing
    const missing: TransitionMap<S, "go"> = { A: { go: { to: "B" } } };
    // @ts-expect-error state "BB" is not a state
    const misspelledState: TransitionMap<S, "go"> = { A: {}, B: {}, BB: {} };
    // @ts-expect-error event "goo" is not an event
    const misspelledEvent: TransitionMap<S, "go"> = { A: { goo: { to: "B" } }, B: {} };
    // @ts-expect-error target "C" is not a state
    const misspelledTarget: TransitionMap<S, "go"> = { A: { go: { to: "C" } }, B: {} };
    // @ts-expect-error guard "maybe" is not one of the table's guards
    const misspelledGuard: TransitionMap<S, "go", "sure"> = { A: { go: { to: "B", guard: "maybe" } }, B: {} };
    expect([missing, misspelledState, misspelledEvent, misspelledTarget, misspelledGuard]).toHaveLength(5);
  });

  it("refuses to compile an apply on a guarded table without guards", () => {
    // @ts-expect-error guards are required when the table names some
    expect(() => apply(DOOR, "OPEN", "close", { now: NOW, actor: "x", role: "system" })).not.toThrow();
  });
});
