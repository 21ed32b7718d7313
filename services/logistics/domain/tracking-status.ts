import type { LogisticsStatus } from "../../../shared/contracts/logistics.contract";

/**
 * How far along a package is. IN_TRANSIT and EXCEPTION share a rank (a package in trouble is still
 * on its way and may recover); SIGNED and RETURNED share the terminal rank.
 */
export const STATUS_RANK: Readonly<Record<LogisticsStatus, number>> = {
  CREATED: 0,
  PICKED_UP: 1,
  IN_TRANSIT: 2,
  EXCEPTION: 2,
  OUT_FOR_DELIVERY: 3,
  SIGNED: 4,
  RETURNED: 4,
};

export const TERMINAL_RANK = 4;

/** Between two equal-rank statuses reported at the same instant, the higher one wins (order-independent). */
const SAME_INSTANT_PRECEDENCE: Readonly<Record<LogisticsStatus, number>> = {
  CREATED: 0,
  PICKED_UP: 0,
  IN_TRANSIT: 0,
  EXCEPTION: 1,
  OUT_FOR_DELIVERY: 0,
  SIGNED: 0,
  RETURNED: 0,
};

/** Where a shipment stands: its status and the carrier's time of the event that set it (null: no event yet). */
export interface TrackingPosition {
  status: LogisticsStatus;
  at: string | null;
}

/** What one tracking event does to a position. */
export interface TrackingStep {
  next: TrackingPosition;
  /** The status changed: a `logistics.status-changed` event is due. */
  moved: boolean;
  /** The position changed (a move, or the same status reported later): the shipment row is written. */
  changed: boolean;
}

const instant = (at: string | null) => (at === null ? Number.NEGATIVE_INFINITY : Date.parse(at));

/**
 * The forward-only rule. An event moves the shipment when its rank is higher; at an equal,
 * non-terminal rank when it happened later (IN_TRANSIT <-> EXCEPTION, or the same status reported
 * again, which only refreshes the time), or at the same instant with the higher precedence. Older,
 * lower and post-terminal events change nothing: they are kept for display only. For events of a
 * package that is either signed or returned, the outcome does not depend on arrival order or duplicates.
 */
export function advance(
  current: TrackingPosition,
  event: { status: LogisticsStatus; at: string },
): TrackingStep {
  const stay = { next: current, moved: false, changed: false };
  const from = STATUS_RANK[current.status];
  const to = STATUS_RANK[event.status];
  if (to < from || (to === from && from === TERMINAL_RANK)) return stay;
  if (to === from) {
    const was = instant(current.at);
    const now = instant(event.at);
    const later =
      now > was ||
      (now === was && SAME_INSTANT_PRECEDENCE[event.status] > SAME_INSTANT_PRECEDENCE[current.status]);
    if (!later) return stay;
  }
  const next = { status: event.status, at: event.at };
  return { next, moved: next.status !== current.status, changed: true };
}

/** The position a set of events leads to from `start`, applied in the given (arrival) order. */
export function positionAfter(
  start: TrackingPosition,
  events: readonly { status: LogisticsStatus; at: string }[],
): TrackingPosition {
  return events.reduce((position, event) => advance(position, event).next, start);
}
