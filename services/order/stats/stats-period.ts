import { validationFailed } from "../../../shared/errors";

/** Statistics count Asia/Shanghai calendar days (UTC+8 all year: no daylight saving since 1991). */
export const STATS_TIME_ZONE = "Asia/Shanghai";
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** A period of whole days: `from` inclusive, `to` exclusive, both `YYYY-MM-DD` in Asia/Shanghai. */
export interface StatsPeriod {
  from: string;
  to: string;
  days: number;
}

/** Days shown when the caller gives no `from`. */
export const DEFAULT_PERIOD_DAYS = 30;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Shanghai day starts. */
export function dayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00+08:00`));
}

/** `day` moved by `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The same calendar day one year later (29 February -> 1 March). */
function addOneYear(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y + 1, m - 1, d)).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** A bound as given: a calendar date (start of that Shanghai day) or an instant with its offset. */
function parseBound(field: "from" | "to", raw: string): { at: Date; isDate: boolean } {
  const date = DATE.exec(raw);
  if (date) {
    const at = dayStart(raw);
    if (Number.isNaN(at.getTime()) || shanghaiDay(at) !== raw)
      throw validationFailed(field, `${field} is not a calendar date`, { value: raw });
    return { at, isDate: true };
  }
  const at = new Date(raw);
  if (!INSTANT.test(raw) || Number.isNaN(at.getTime()))
    throw validationFailed(field, `${field} must be a date (YYYY-MM-DD) or an ISO instant with an offset`, {
      value: raw,
    });
  return { at, isDate: false };
}

/**
 * The whole Shanghai days a request covers: `from` is rounded down to its day and `to` (exclusive) up to
 * the next day start unless it is one. Defaults: `to` = tomorrow (today included), `from` = 30 days before
 * `to`. `from` not before `to`, or more than one calendar year, is 422 naming the field.
 */
export function parsePeriod(input: { from?: string; to?: string }, now: Date): StatsPeriod {
  const to = input.to === undefined ? null : parseBound("to", input.to);
  const toDay = to
    ? to.isDate || dayStart(shanghaiDay(to.at)).getTime() === to.at.getTime()
      ? shanghaiDay(to.at)
      : addDays(shanghaiDay(to.at), 1)
    : addDays(shanghaiDay(now), 1);
  const from = input.from === undefined ? null : parseBound("from", input.from);
  const fromDay = from ? shanghaiDay(from.at) : addDays(toDay, -DEFAULT_PERIOD_DAYS);
  const fromAt = from?.at ?? dayStart(fromDay);
  const toAt = to?.at ?? dayStart(toDay);
  if (fromAt.getTime() >= toAt.getTime())
    throw validationFailed("from", "from must be before to", { from: fromDay, to: toDay });
  if (toDay > addOneYear(fromDay))
    throw validationFailed("to", "the period must not be longer than one year", { from: fromDay, to: toDay });
  return { from: fromDay, to: toDay, days: daysBetween(fromDay, toDay) };
}
