import type { Pool } from "pg";
import type { Caller } from "../../../shared/contracts/caller";
import { OmsError } from "../../../shared/errors";
import { type AmountBucket, amountBuckets, averageOrderValueMinor, refundRate } from "./stats-figures";
import { parsePeriod, STATS_TIME_ZONE, type StatsPeriod } from "./stats-period";
import { readStats, type StatsRows } from "./stats-read.repo";

/** `GET /stats/overview` parameters as the gateway passes them. */
export interface OverviewParams {
  from?: string;
  to?: string;
  shopId?: string;
}

/**
 * Whose figures a caller may see: an operator any shop, or the platform (null) without `shopId`; a merchant
 * only its own shop (also when it names none); anyone else nothing (403).
 */
export function statsScope(caller: Caller, shopId: string | undefined): string | null {
  if (caller.role === "admin") return shopId ?? null;
  if (caller.role === "merchant" && caller.shopId && (shopId === undefined || shopId === caller.shopId))
    return caller.shopId;
  throw new OmsError("FORBIDDEN", "Not your shop", shopId === undefined ? {} : { shopId });
}

type Dim<K extends string> = { [key in K]: string } & {
  orders: number;
  paidOrders: number;
  gmvMinor: number;
};

/** The figures of DOMAIN.md 12 for the period (API.md "Statistics"). */
export interface Overview {
  period: StatsPeriod & { timeZone: string };
  shopId: string | null;
  currency: "CNY";
  gmvMinor: number;
  orders: number;
  paidOrders: number;
  aovMinor: number;
  orderingUsers: number;
  payingUsers: number;
  newPayingUsers: number;
  returningPayingUsers: number;
  amountBuckets: AmountBucket[];
  byProvince: Dim<"province">[];
  bySourceChannel: Dim<"sourceChannel">[];
  topSkus: { byUnits: TopSku[]; byAmount: TopSku[] };
  refunds: number;
  refundMinor: number;
  refundRate: number;
  funnel: { created: number; paid: number; shipped: number; completed: number };
  /** Orders flagged past their ship-by deadline during the period (DOMAIN.md 10). */
  shipOverdueOrders: number;
}

export type TopSku = Omit<StatsRows["topSkus"][number], "rankBy">;

/** Shapes the period's rows into the overview (pure). */
export function presentOverview(period: StatsPeriod, shopId: string | null, rows: StatsRows): Overview {
  const t = rows.totals;
  const top = (rankBy: "units" | "amount") =>
    rows.topSkus.filter((s) => s.rankBy === rankBy).map(({ rankBy: _, ...sku }) => sku);
  return {
    period: { ...period, timeZone: STATS_TIME_ZONE },
    shopId,
    currency: "CNY",
    gmvMinor: t.gmvMinor,
    orders: t.orders,
    paidOrders: t.paidOrders,
    aovMinor: averageOrderValueMinor(t.gmvMinor, t.paidOrders),
    orderingUsers: rows.orderingUsers,
    payingUsers: rows.payingUsers,
    newPayingUsers: rows.newPayingUsers,
    returningPayingUsers: rows.payingUsers - rows.newPayingUsers,
    amountBuckets: amountBuckets(rows.buckets),
    byProvince: rows.provinces,
    bySourceChannel: rows.channels,
    topSkus: { byUnits: top("units"), byAmount: top("amount") },
    refunds: t.refunds,
    refundMinor: t.refundMinor,
    refundRate: refundRate(t.refundMinor, t.gmvMinor),
    funnel: { created: t.orders, paid: t.cohortPaid, shipped: t.cohortShipped, completed: t.cohortCompleted },
    shipOverdueOrders: rows.shipOverdueOrders,
  };
}

/** The overview for the caller: scope (403), period (422), then the daily tables. */
export async function statsOverview(
  pool: Pool,
  caller: Caller,
  params: OverviewParams,
  now: Date,
): Promise<Overview> {
  const shopId = statsScope(caller, params.shopId);
  const period = parsePeriod(params, now);
  return presentOverview(period, shopId, await readStats(pool, period, shopId));
}
