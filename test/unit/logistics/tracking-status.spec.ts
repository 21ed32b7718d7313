import fc from "fast-check";
import {
  advance,
  positionAfter,
  STATUS_RANK,
  type TrackingPosition,
} from "../../../services/logistics/domain/tracking-status";
import { LOGISTICS_STATUSES, type LogisticsStatus } from "../../../shared/contracts/logistics.contract";

const T = (minute: number) => new Date(Date.UTC(2026, 10, 26, 8, minute)).toISOString();
const START: TrackingPosition = { status: "CREATED", at: null };
const at = (status: LogisticsStatus, minute: number) => ({ status, at: T(minute) });

describe("forward-only tracking status", () => {
  it("ranks CREATED < PICKED_UP < IN_TRANSIT = EXCEPTION < OUT_FOR_DELIVERY < SIGNED = RETURNED", () => {
    expect(STATUS_RANK).toEqual({
      CREATED: 0,
      PICKED_UP: 1,
      IN_TRANSIT: 2,
      EXCEPTION: 2,
      OUT_FOR_DELIVERY: 3,
      SIGNED: 4,
      RETURNED: 4,
    });
  });

  it("moves to a higher rank whatever the times say", () => {
    const step = advance({ status: "IN_TRANSIT", at: T(30) }, at("OUT_FOR_DELIVERY", 10));
    expect(step).toEqual({ next: { status: "OUT_FOR_DELIVERY", at: T(10) }, moved: true, changed: true });
  });

  it("never moves back to a lower rank", () => {
    for (const status of ["CREATED", "PICKED_UP", "IN_TRANSIT", "EXCEPTION"] as const) {
      const step = advance({ status: "OUT_FOR_DELIVERY", at: T(10) }, at(status, 50));
      expect(step).toEqual({ next: { status: "OUT_FOR_DELIVERY", at: T(10) }, moved: false, changed: false });
    }
  });

  it("keeps SIGNED when IN_TRANSIT arrives after it", () => {
    expect(positionAfter(START, [at("SIGNED", 40), at("IN_TRANSIT", 20)]).status).toBe("SIGNED");
  });

  it("moves IN_TRANSIT to EXCEPTION and back only with a later event", () => {
    const transit = { status: "IN_TRANSIT", at: T(20) } as const;
    expect(advance(transit, at("EXCEPTION", 25))).toMatchObject({
      next: { status: "EXCEPTION" },
      moved: true,
    });
    expect(advance(transit, at("EXCEPTION", 15))).toMatchObject({
      next: transit,
      moved: false,
      changed: false,
    });
    const exception = { status: "EXCEPTION", at: T(25) } as const;
    expect(advance(exception, at("IN_TRANSIT", 30))).toMatchObject({
      next: { status: "IN_TRANSIT" },
      moved: true,
    });
    expect(advance(exception, at("IN_TRANSIT", 21))).toMatchObject({ moved: false, changed: false });
  });

  it("refreshes the time of the same status reported later without announcing a move", () => {
    const step = advance({ status: "IN_TRANSIT", at: T(20) }, at("IN_TRANSIT", 35));
    expect(step).toEqual({ next: { status: "IN_TRANSIT", at: T(35) }, moved: false, changed: true });
    // So an EXCEPTION from between the two no longer wins.
    expect(advance(step.next, at("EXCEPTION", 30)).moved).toBe(false);
  });

  it("lets EXCEPTION win over IN_TRANSIT reported at the same instant, in either order", () => {
    expect(positionAfter(START, [at("IN_TRANSIT", 20), at("EXCEPTION", 20)]).status).toBe("EXCEPTION");
    expect(positionAfter(START, [at("EXCEPTION", 20), at("IN_TRANSIT", 20)]).status).toBe("EXCEPTION");
  });

  it("ignores the same event applied twice", () => {
    const first = advance(START, at("PICKED_UP", 5));
    expect(first.moved).toBe(true);
    expect(advance(first.next, at("PICKED_UP", 5))).toMatchObject({ moved: false, changed: false });
  });

  it("never leaves a terminal status, not even for the other terminal one", () => {
    for (const [terminal, other] of [
      ["SIGNED", "RETURNED"],
      ["RETURNED", "SIGNED"],
    ] as const) {
      for (const status of LOGISTICS_STATUSES) {
        expect(advance({ status: terminal, at: T(10) }, at(status, 59)).changed).toBe(false);
      }
      expect(advance({ status: terminal, at: T(10) }, at(other, 59)).next.status).toBe(terminal);
    }
  });

  it("records a CREATED event's time without a move", () => {
    expect(advance(START, at("CREATED", 1))).toEqual({
      next: { status: "CREATED", at: T(1) },
      moved: false,
      changed: true,
    });
  });

  describe("whatever the arrival order", () => {
    const nonTerminal = fc.constantFrom<LogisticsStatus>(
      "CREATED",
      "PICKED_UP",
      "IN_TRANSIT",
      "EXCEPTION",
      "OUT_FOR_DELIVERY",
    );
    const eventOf = (status: fc.Arbitrary<LogisticsStatus>) =>
      fc.record({ status, at: fc.integer({ min: 0, max: 30 }).map(T) });
    // A package is either signed or returned: a set's terminal events share one status.
    const eventSet = fc
      .tuple(
        fc.array(eventOf(nonTerminal), { maxLength: 12 }),
        fc.constantFrom<LogisticsStatus | null>(null, "SIGNED", "RETURNED"),
        fc.integer({ min: 1, max: 3 }),
      )
      .chain(([events, terminal, terminals]) =>
        terminal === null
          ? fc.constant(events)
          : fc
              .array(eventOf(fc.constant(terminal)), { minLength: terminals, maxLength: terminals })
              .map((ends) => [...events, ...ends]),
      );
    // The set delivered in any order, with some events delivered again at random points (carriers retry).
    const deliveries = eventSet.chain((events) =>
      fc
        .tuple(
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 8 }),
        )
        .map(([shuffled, repeats]) => {
          const arrivals = [...shuffled];
          for (const [which, where] of repeats) {
            if (events.length > 0)
              arrivals.splice(where % (arrivals.length + 1), 0, events[which % events.length]!);
          }
          return { events, arrivals };
        }),
    );

    it("any permutation and duplication of a set of events ends in the same status", () => {
      fc.assert(
        fc.property(deliveries, ({ events, arrivals }) => {
          expect(positionAfter(START, arrivals).status).toBe(positionAfter(START, events).status);
        }),
        { numRuns: 2_000 },
      );
    });

    it("ends in the status of the highest-ranked event, the latest one among IN_TRANSIT and EXCEPTION", () => {
      fc.assert(
        fc.property(deliveries, ({ events, arrivals }) => {
          const final = positionAfter(START, arrivals).status;
          const top = Math.max(0, ...events.map((e) => STATUS_RANK[e.status]));
          expect(STATUS_RANK[final]).toBe(top);
          if (top === 2) {
            const latest = Math.max(
              ...events.filter((e) => STATUS_RANK[e.status] === 2).map((e) => Date.parse(e.at)),
            );
            const atLatest = events.filter((e) => STATUS_RANK[e.status] === 2 && Date.parse(e.at) === latest);
            expect(final).toBe(atLatest.some((e) => e.status === "EXCEPTION") ? "EXCEPTION" : "IN_TRANSIT");
          }
        }),
        { numRuns: 1_000 },
      );
    });

    it("announces a move at most once per status change and never for a duplicate", () => {
      fc.assert(
        fc.property(deliveries, ({ arrivals }) => {
          let position = START;
          const seen = new Set<string>();
          for (const event of arrivals) {
            const key = `${event.status}@${event.at}`;
            const step = advance(position, event);
            if (seen.has(key)) expect(step.moved).toBe(false);
            if (step.moved) expect(step.next.status).not.toBe(position.status);
            seen.add(key);
            position = step.next;
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
