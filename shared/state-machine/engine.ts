import { OmsError } from "../errors";

/** One outgoing row: the target state, an optional named guard and the named effects the caller runs. */
export interface TransitionRow<S extends string, G extends string = never, F extends string = string> {
  readonly to: S;
  readonly guard?: G;
  readonly effects?: readonly F[];
}

/** Several rows for one (state, event) are tried in order; the first whose guard holds (or has none) wins. */
export type TransitionRows<S extends string, G extends string = never, F extends string = string> =
  | TransitionRow<S, G, F>
  | readonly TransitionRow<S, G, F>[];

/** Every state must appear (a missing or misspelled one fails to compile); `{}` marks a state with no rows. */
export type TransitionMap<
  S extends string,
  E extends string,
  G extends string = never,
  F extends string = string,
> = {
  readonly [K in S]: { readonly [V in E]?: TransitionRows<S, G, F> };
};

/** A state table as data, versioned because orders are bound to the version they were created under. */
export interface StateTable<
  S extends string,
  E extends string,
  G extends string = never,
  F extends string = string,
> {
  readonly name: string;
  readonly version: string;
  readonly initial: S;
  readonly states: readonly S[];
  readonly events: readonly E[];
  readonly transitions: TransitionMap<S, E, G, F>;
}

/** Who may act on an order: the API's roles plus the system (timers, callbacks). */
export type ActorRole = "buyer" | "merchant" | "admin" | "system";

/** One field's value before and after an edit, for the field-level audit trail. */
export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Named guard predicates over the facts the caller gathered for this transition. */
export type GuardMap<G extends string, D> = { readonly [K in G]: (facts: D) => boolean };

/** Who, when and why: everything the timeline needs comes in here; the engine never reads the clock. */
export interface TransitionContext<D = unknown> {
  readonly now: Date;
  readonly actor: string;
  readonly role: ActorRole;
  readonly reason?: string | null;
  readonly requestId?: string | null;
  readonly eventId?: string | null;
  readonly changes?: readonly FieldChange[];
  readonly facts?: D;
}

/** A table that names guards needs their predicates and the facts they judge. */
export interface GuardedTransitionContext<G extends string, D> extends TransitionContext<D> {
  readonly facts: D;
  readonly guards: GuardMap<G, D>;
}

/** The API's timeline entry for one applied transition. */
export interface TimelineEntry<S extends string = string, E extends string = string> {
  readonly at: string;
  readonly actor: string;
  readonly role: ActorRole;
  readonly event: E;
  /** Null for the entry that records the creation. */
  readonly from: S | null;
  readonly to: S;
  readonly reason: string | null;
  readonly requestId: string | null;
  readonly eventId: string | null;
  readonly changes?: readonly FieldChange[];
}

/** What applying an event yields; the caller persists `to` and the entry and runs `effects`. */
export interface TransitionResult<S extends string, E extends string, F extends string = string> {
  readonly from: S;
  readonly to: S;
  readonly effects: readonly F[];
  readonly timelineEntry: TimelineEntry<S, E>;
}

/** Runs `event` against `state`; throws INVALID_TRANSITION (409) with {state, event} when no row applies. */
export function apply<S extends string, E extends string, F extends string>(
  table: StateTable<S, E, never, F>,
  state: S,
  event: E,
  context: TransitionContext,
): TransitionResult<S, E, F>;
export function apply<S extends string, E extends string, G extends string, F extends string, D>(
  table: StateTable<S, E, G, F>,
  state: S,
  event: E,
  context: GuardedTransitionContext<NoInfer<G>, D>,
): TransitionResult<S, E, F>;
export function apply<S extends string, E extends string, G extends string, F extends string, D>(
  table: StateTable<S, E, G, F>,
  state: S,
  event: E,
  context: TransitionContext<D> & { readonly guards?: GuardMap<G, D> },
): TransitionResult<S, E, F> {
  const rows = rowsFor(table, state, event);
  if (rows.length === 0) {
    throw new OmsError("INVALID_TRANSITION", `${table.name}: ${event} is not allowed in ${state}`, {
      state,
      event,
    });
  }
  const failed: G[] = [];
  const row = rows.find((candidate) => {
    if (candidate.guard === undefined) return true;
    const predicate = context.guards?.[candidate.guard];
    if (!predicate) throw new Error(`${table.name}: guard ${candidate.guard} was not supplied`);
    if (predicate(context.facts as D)) return true;
    failed.push(candidate.guard);
    return false;
  });
  if (!row) {
    throw new OmsError("INVALID_TRANSITION", `${table.name}: ${event} is not allowed in ${state} now`, {
      state,
      event,
      guard: failed.join("|"),
    });
  }
  const timelineEntry: TimelineEntry<S, E> = {
    at: context.now.toISOString(),
    actor: context.actor,
    role: context.role,
    event,
    from: state,
    to: row.to,
    reason: context.reason ?? null,
    requestId: context.requestId ?? null,
    eventId: context.eventId ?? null,
    ...(context.changes ? { changes: context.changes } : {}),
  };
  return { from: state, to: row.to, effects: [...(row.effects ?? [])], timelineEntry };
}

/** The events that have at least one row out of `state` (guards not evaluated). */
export function allowedEvents<S extends string, E extends string>(
  table: StateTable<S, E, string>,
  state: S,
): E[] {
  return table.events.filter((event) => rowsFor(table, state, event).length > 0);
}

/** Terminal: no row leads to another state (a self-row such as a late-payment refund is allowed). */
export function isTerminal<S extends string, E extends string>(
  table: StateTable<S, E, string>,
  state: S,
): boolean {
  return table.events.every((event) => rowsFor(table, state, event).every((row) => row.to === state));
}

/** Every state reachable from the initial one, ignoring guards (each conditional row counts). */
export function reachableStates<S extends string, E extends string>(table: StateTable<S, E, string>): Set<S> {
  const seen = new Set<S>([table.initial]);
  const queue: S[] = [table.initial];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const event of table.events) {
      for (const row of rowsFor(table, state, event)) {
        if (!seen.has(row.to)) {
          seen.add(row.to);
          queue.push(row.to);
        }
      }
    }
  }
  return seen;
}

/** The rows for (state, event) as a list; an unknown state (e.g. from an old row in storage) has none. */
export function rowsFor<S extends string, E extends string, G extends string, F extends string>(
  table: StateTable<S, E, G, F>,
  state: S,
  event: E,
): readonly TransitionRow<S, G, F>[] {
  // Own-property checks keep "toString" or "__proto__" from untrusted input off the prototype chain.
  const byEvent = Object.hasOwn(table.transitions, state) ? table.transitions[state] : undefined;
  const rows = byEvent && Object.hasOwn(byEvent, event) ? byEvent[event] : undefined;
  if (rows === undefined) return [];
  return isRowList(rows) ? rows : [rows];
}

function isRowList<S extends string, G extends string, F extends string>(
  rows: TransitionRows<S, G, F>,
): rows is readonly TransitionRow<S, G, F>[] {
  return Array.isArray(rows);
}

/**
 * A timeline entry for something that happened to an order without a transition (a review, a tracking
 * status, an after-sales step): `from` and `to` are the state it stays in.
 */
export function noteEntry<S extends string>(
  state: S,
  event: string,
  context: TransitionContext,
): TimelineEntry<S> {
  return {
    at: context.now.toISOString(),
    actor: context.actor,
    role: context.role,
    event,
    from: state,
    to: state,
    reason: context.reason ?? null,
    requestId: context.requestId ?? null,
    eventId: context.eventId ?? null,
  };
}
