import { MERCHANT_OR_ADMIN, type RouteDef } from "./route-def";

/** Statistics (API.md "Statistics"): merchants see only their shop, operators any shop or the platform. */
export const STATS_ROUTES: readonly RouteDef[] = [
  {
    method: "GET",
    path: "/stats/overview",
    action: "order.statsOverview",
    roles: MERCHANT_OR_ADMIN,
    summary:
      "Figures of DOMAIN.md 12 over ?from=&to= (at most a year) for ?shopId= or the platform: GMV, orders, users, buckets, provinces, channels, top SKUs, refunds, funnel",
    tag: "Statistics",
  },
];
