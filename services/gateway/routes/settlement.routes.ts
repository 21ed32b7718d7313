import { ADMIN, MERCHANT_OR_ADMIN, type RouteDef } from "./route-def";

const day = (description: string) => ({ description, schema: { type: "string" } });

/** Settlement (API.md "Settlement"): merchants see only their shop, operators any shop; reconciliation is the platform's. */
export const SETTLEMENT_ROUTES: readonly RouteDef[] = [
  {
    method: "GET",
    path: "/settlements",
    action: "order.settlements",
    roles: MERCHANT_OR_ADMIN,
    summary:
      "Per shop over ?from=&to= (Shanghai days, at most a year): goods paid, shop- and platform-funded discounts, " +
      "shipping fees, refunds and the net to settle; with includeLines=true (one shop) the entries behind them",
    tag: "Settlement",
    query: {
      shopId: { description: "One shop (a merchant's own is implied)", schema: { type: "string" } },
      from: day("First day (YYYY-MM-DD) or an instant; default 30 days before to"),
      to: day("Day after the last (YYYY-MM-DD) or an instant; default tomorrow"),
      includeLines: {
        description: "Also list the order lines behind each figure (needs one shop); cursor pages them",
        schema: { type: "boolean" },
      },
      limit: { description: "Shops, or lines, per page (default 20, max 100)", schema: { type: "integer" } },
      cursor: { description: "The nextCursor of the page before", schema: { type: "string" } },
    },
  },
  {
    method: "GET",
    path: "/admin/reconciliation",
    action: "order.reconciliation",
    roles: ADMIN,
    summary:
      "One day's payments and refunds as the payment service recorded them against what the orders say: every mismatch",
    tag: "Settlement",
    query: { date: day("The Shanghai day (YYYY-MM-DD); default yesterday") },
  },
];
