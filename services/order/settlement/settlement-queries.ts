import type { Pool } from "pg";
import type { Caller } from "../../../shared/contracts/caller";
import { ORDER_CHANNELS, type ReconciledPayload } from "../../../shared/contracts/order.contract";
import type {
  LedgerPage,
  LedgerParams,
  LedgerPayment,
  LedgerRefund,
} from "../../../shared/contracts/payment.contract";
import { validationFailed } from "../../../shared/errors";
import { newEvent, outboxInsertSql } from "../../../shared/outbox/outbox";
import {
  type Mismatch,
  ordersWithoutPayment,
  reconcilePayments,
  reconcileRefunds,
  refundsWithoutPayment,
} from "../domain/reconciliation";
import { netSettlement } from "../domain/settlement";
import { statsScope } from "../stats/stats-overview";
import { addDays, dayStart, parsePeriod, shanghaiDay } from "../stats/stats-period";
import {
  type EntryCursor,
  orderRefundsByNo,
  orderRefundsPage,
  ordersOfPayments,
  paidOrdersPage,
  paidPurposes,
  type ShopSettlementRow,
  settlementEntries,
  settlementTotals,
  type TimeCursor,
} from "../store/settlement.repo";

export interface SettlementParams {
  shopId?: string;
  from?: string;
  to?: string;
  /** Also the entries behind the figures (one shop), paged by `cursor`. */
  includeLines?: boolean;
  limit?: number;
  cursor?: string;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A cursor back to its position; 422 naming `cursor` when it is not one of ours. */
function decode<T>(cursor: string, valid: (value: T) => boolean): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as T;
    if (value !== null && typeof value === "object" && valid(value)) return value;
  } catch {
    // not JSON: refused below
  }
  throw validationFailed("cursor", "cursor is not a cursor of this list");
}

const isEntryCursor = (c: EntryCursor) =>
  typeof c.at === "string" &&
  !Number.isNaN(Date.parse(c.at)) &&
  typeof c.kind === "string" &&
  typeof c.orderNo === "string" &&
  typeof c.refundNo === "string" &&
  Number.isSafeInteger(c.position);

/**
 * `GET /settlements`: per shop over whole Shanghai days, what buyers paid for goods and shipping, the
 * discounts by funder (net of refunded units), the refunds, and the net to settle (DOMAIN.md 14). An
 * operator sees every shop with activity (paged by shop) or one; a merchant only its own. With
 * `includeLines` (one shop) the entries behind the figures follow, paged by `cursor`.
 */
export async function settlements(pool: Pool, caller: Caller, params: SettlementParams, now: Date) {
  const period = parsePeriod(params, now);
  const shopId = statsScope(caller, params.shopId);
  const range = { from: dayStart(period.from), to: dayStart(period.to) };
  const limit = params.limit ?? 20;
  if (params.includeLines && shopId === null) {
    throw validationFailed("shopId", "The lines behind a settlement are given for one shop at a time");
  }
  const head = { from: period.from, to: period.to, currency: "CNY" };
  if (params.includeLines && shopId !== null) {
    const after = params.cursor ? decode(params.cursor, isEntryCursor) : null;
    const [totals] = await settlementTotals(pool, { ...range, shopId, afterShop: "", limit: 1 });
    const lines = await settlementEntries(pool, { ...range, shopId, after, limit });
    return {
      ...head,
      items: [{ ...present(totals ?? emptyShop(shopId)), lines: lines.items }],
      nextCursor: lines.next ? encode(lines.next) : null,
    };
  }
  const afterShop = params.cursor
    ? decode<{ shopId: string }>(params.cursor, (c) => typeof c.shopId === "string").shopId
    : "";
  const rows = await settlementTotals(pool, { ...range, shopId, afterShop, limit });
  const items = rows.map(present);
  if (shopId !== null && items.length === 0 && afterShop === "") items.push(present(emptyShop(shopId)));
  const last = rows.at(-1);
  return {
    ...head,
    items,
    nextCursor: rows.length === limit && last ? encode({ shopId: last.shopId }) : null,
  };
}

const emptyShop = (shopId: string): ShopSettlementRow => ({
  shopId,
  orders: 0,
  refunds: 0,
  goodsPaidMinor: 0,
  shopFundedDiscountMinor: 0,
  platformFundedDiscountMinor: 0,
  shippingFeeMinor: 0,
  refundMinor: 0,
});

const present = (row: ShopSettlementRow) => ({ ...row, netSettlementMinor: netSettlement(row) });

/** Reads the payment service's records (`payment.ledger`). */
export type Ledger = <K extends LedgerParams["kind"]>(
  params: LedgerParams & { kind: K },
) => Promise<LedgerPage<K extends "payments" ? LedgerPayment : LedgerRefund>>;

/** `payment.ledger` called through a broker or a request's context. */
export const paymentLedger = (via: { call(action: string, params: object): Promise<unknown> }): Ledger =>
  ((params: LedgerParams) => via.call("payment.ledger", params)) as Ledger;

/** Items read per page on each side. */
const PAGE = 1_000;
/** Mismatches listed at most; `truncated` says there were more. */
const MAX_MISMATCHES = 1_000;

/**
 * `GET /admin/reconciliation?date=`: one Shanghai day (default yesterday) of payments and refunds as the
 * payment service recorded them, against what the orders say (DOMAIN.md 14). Four passes, each paged on
 * one side and looked up on the other by number, so memory stays flat whatever the day's volume: the
 * day's payments, the payments the orders say paid them that day, the day's refunds, the refunds the
 * orders recorded that day.
 */
export async function reconciliation(pool: Pool, ledger: Ledger, date: string | undefined, now: Date) {
  const day = date ?? addDays(shanghaiDay(now), -1);
  const from = dayStart(day);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(from.getTime()) || shanghaiDay(from) !== day) {
    throw validationFailed("date", "date must be a calendar date (YYYY-MM-DD)", { value: day });
  }
  const to = dayStart(addDays(day, 1));
  const window = { from: from.toISOString(), to: to.toISOString(), limit: PAGE };
  const mismatches: Mismatch[] = [];
  let truncated = false;
  const note = (found: Mismatch[]) => {
    const room = MAX_MISMATCHES - mismatches.length;
    mismatches.push(...found.slice(0, room));
    truncated ||= found.length > room;
  };
  const payments = { checked: 0, amountMinor: 0 };
  const refunds = { checked: 0, amountMinor: 0 };

  await eachPage(
    (after) => ledger({ kind: "payments", ...window, ...(after ? { after } : {}) }),
    async (items) => {
      payments.checked += items.length;
      payments.amountMinor += items.reduce((sum, p) => sum + p.paidMinor, 0);
      const orders = await ordersOfPayments(
        pool,
        items.map((p) => p.paymentNo),
      );
      note(reconcilePayments(items, orders));
    },
  );
  await eachPage(
    (after) => paidOrdersPage(pool, { from, to, after, limit: PAGE }),
    async (items) => {
      const found = await ledger({ kind: "payments", nos: items.map((o) => o.paymentNo) });
      note(ordersWithoutPayment(items, new Map(found.items.map((p) => [p.paymentNo, p])), from, to));
    },
  );
  await eachPage(
    (after) => ledger({ kind: "refunds", ...window, ...(after ? { after } : {}) }),
    async (items) => {
      const succeeded = items.filter((r) => r.status === "SUCCEEDED");
      refunds.checked += succeeded.length;
      refunds.amountMinor += succeeded.reduce((sum, r) => sum + r.amountMinor, 0);
      const recorded = await orderRefundsByNo(
        pool,
        items.map((r) => r.refundNo),
      );
      const paid = await paidPurposes(
        pool,
        items.filter((r) => r.status === "FAILED"),
      );
      note(reconcileRefunds(items, recorded, paid));
    },
  );
  await eachPage(
    (after) => orderRefundsPage(pool, { from, to, after, limit: PAGE }),
    async (items) => {
      const found = await ledger({ kind: "refunds", nos: items.map((r) => r.refundNo) });
      note(refundsWithoutPayment(items, new Map(found.items.map((r) => [r.refundNo, r])), from, to));
    },
  );
  return {
    date: day,
    from: from.toISOString(),
    to: to.toISOString(),
    payments,
    refunds,
    mismatches,
    truncated,
    dailyRun: await dailyRun(pool, day),
  };
}

/** Reads pages from `read` until there is none left, handing each page's items to `handle`. */
async function eachPage<T>(
  read: (after: TimeCursor | null) => Promise<{ items: T[]; next: TimeCursor | null }>,
  handle: (items: T[]) => Promise<void>,
): Promise<void> {
  let after: TimeCursor | null = null;
  do {
    const page = await read(after);
    if (page.items.length > 0) await handle(page.items);
    after = page.next;
  } while (after);
}

/** The daily run reconciles a day once this long after it ended, so late callbacks and refunds are in. */
export const DAILY_RECONCILIATION_AFTER_MS = 2 * 3_600_000;
/** How often the timer looks whether yesterday's run is due. */
export const DAILY_RECONCILIATION_EVERY_MS = 15 * 60_000;

/**
 * The daily reconciliation (run by a timer on one pod at a time): once yesterday (Shanghai) has been over
 * for `DAILY_RECONCILIATION_AFTER_MS`, claims its run, reconciles it, and stores what it found; a run that
 * failed is given up so the next tick tries again, and one whose pod died is taken over an hour later. The
 * finished run commits with its `settlement.reconciled` event. Answers the stored result, or null when there
 * was nothing to do.
 */
export async function runDailyReconciliation(pool: Pool, ledger: Ledger, now: Date) {
  const day = addDays(shanghaiDay(now), -1);
  if (now.getTime() < dayStart(addDays(day, 1)).getTime() + DAILY_RECONCILIATION_AFTER_MS) return null;
  // A claim left unfinished for an hour (its pod died) is taken over.
  const { rowCount } = await pool.query(
    `INSERT INTO reconciliation_runs AS r (date) VALUES ($1)
     ON CONFLICT (date) DO UPDATE SET started_at = now()
       WHERE r.finished_at IS NULL AND r.started_at < now() - interval '1 hour'`,
    [day],
  );
  if (rowCount !== 1) return null;
  try {
    const result = await reconciliation(pool, ledger, day, now);
    const byKind: Record<string, number> = {};
    for (const m of result.mismatches) byKind[m.kind] = (byKind[m.kind] ?? 0) + 1;
    const found = newEvent<ReconciledPayload>(
      ORDER_CHANNELS.reconciled,
      { date: day, mismatchCount: result.mismatches.length, byKind, truncated: result.truncated },
      now,
    );
    // The run and its event commit together (the notification service tells the operators).
    await pool.query(
      `WITH run AS (
         UPDATE reconciliation_runs SET finished_at = now(), mismatch_count = $2, result = $3
         WHERE date = $1 AND finished_at IS NULL RETURNING date
       )
       ${outboxInsertSql("$4")} WHERE EXISTS (SELECT 1 FROM run)`,
      [day, result.mismatches.length, JSON.stringify(result), JSON.stringify([found])],
    );
    return result;
  } catch (err) {
    await pool.query("DELETE FROM reconciliation_runs WHERE date = $1", [day]);
    throw err;
  }
}

/** The stored daily run of a day: when it finished and how many mismatches it listed; null when none ran. */
export async function dailyRun(pool: Pool, day: string) {
  const { rows } = await pool.query<{ finished_at: Date | null; mismatch_count: number | null }>(
    "SELECT finished_at, mismatch_count FROM reconciliation_runs WHERE date = $1",
    [day],
  );
  const r = rows[0];
  return r?.finished_at ? { finishedAt: r.finished_at.toISOString(), mismatchCount: r.mismatch_count } : null;
}
