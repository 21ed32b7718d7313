import { parseDuration } from "../../../shared/duration";

/** The timers an order type runs on; each order keeps the values it was created with. */
export interface OrderTimers {
  paymentTimeoutMs: number;
  autoConfirmMs: number;
  afterSalesWindowMs: number;
  afterSalesReviewTimeoutMs: number;
  buyerReturnTimeoutMs: number;
  /** A returned parcel not received this long after the buyer shipped it is received automatically. */
  autoReceiveMs: number;
  /** The shop hands a paid order over within this, or the order is flagged overdue (DOMAIN.md 10). */
  shipWithinMs: number;
}

const DAY = 86_400_000;

/** DOMAIN.md defaults: pay within 30 min, auto-confirm after 10 days, after-sales window 15 days, review 48 h, return 7 days, auto-receive 10 days, ship within 48 h. */
export const DEFAULT_ORDER_TIMERS: OrderTimers = {
  paymentTimeoutMs: 30 * 60_000,
  autoConfirmMs: 10 * DAY,
  afterSalesWindowMs: 15 * DAY,
  afterSalesReviewTimeoutMs: 2 * DAY,
  buyerReturnTimeoutMs: 7 * DAY,
  autoReceiveMs: 10 * DAY,
  shipWithinMs: 2 * DAY,
};

/** The body of `PUT /admin/order-types/{orderType}`: durations as strings ("30m", "10d"). */
export interface OrderTypeConfigInput {
  paymentTimeout?: string;
  autoConfirmAfter?: string;
  afterSalesWindow?: string;
  afterSalesReviewTimeout?: string;
  buyerReturnTimeout?: string;
  autoReceiveAfter?: string;
  shipWithin?: string;
}

const FIELDS: [keyof OrderTypeConfigInput, keyof OrderTimers][] = [
  ["paymentTimeout", "paymentTimeoutMs"],
  ["autoConfirmAfter", "autoConfirmMs"],
  ["afterSalesWindow", "afterSalesWindowMs"],
  ["afterSalesReviewTimeout", "afterSalesReviewTimeoutMs"],
  ["buyerReturnTimeout", "buyerReturnTimeoutMs"],
  ["autoReceiveAfter", "autoReceiveMs"],
  ["shipWithin", "shipWithinMs"],
];

/** Applies the given durations over `current`; a value that does not parse is 422 naming its field. */
export function mergeOrderTimers(current: OrderTimers, input: OrderTypeConfigInput): OrderTimers {
  const next = { ...current };
  for (const [field, key] of FIELDS) {
    const raw = input[field];
    if (raw === undefined) continue;
    next[key] = parseDuration(raw, field);
  }
  return next;
}

/** The payment deadline: the order type's timeout, shortened by a campaign's (flash sales). */
export function paymentDeadline(
  now: Date,
  timers: OrderTimers,
  campaignTimeoutsMs: readonly (number | null)[],
): Date {
  const timeouts = [timers.paymentTimeoutMs, ...campaignTimeoutsMs.filter((t): t is number => t !== null)];
  return new Date(now.getTime() + Math.min(...timeouts));
}
