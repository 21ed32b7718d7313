import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { Pool } from "pg";
import { type Caller, callerOf } from "../../../shared/contracts/caller";
import { paymentLedger, reconciliation, type SettlementParams, settlements } from "./settlement-queries";

type SettlementService = Service & { pool: Pool };

/** Settlement and reconciliation (DOMAIN.md 14): read-only actions over the order records. */
export const orderSettlement: Partial<
  ServiceSchema<ServiceSettingSchema, Record<string, never>, { pool: Pool }>
> = {
  actions: {
    /** GET /settlements: per shop and period, the figures to settle, with the lines behind them on request. */
    settlements: {
      params: {
        shopId: { type: "string", min: 1, max: 64, optional: true },
        from: { type: "string", max: 40, optional: true },
        to: { type: "string", max: 40, optional: true },
        includeLines: { type: "boolean", convert: true, optional: true },
        limit: { type: "number", integer: true, min: 1, max: 100, convert: true, optional: true },
        cursor: { type: "string", max: 512, optional: true },
        $$strict: "remove",
      },
      handler(this: SettlementService, ctx: Context<SettlementParams, { user?: Caller }>) {
        return settlements(this.pool, callerOf(ctx.meta), ctx.params, new Date());
      },
    },
    /** GET /admin/reconciliation: a day's payment records against the orders; every mismatch. */
    reconciliation: {
      params: { date: { type: "string", max: 10, optional: true }, $$strict: "remove" },
      handler(this: SettlementService, ctx: Context<{ date?: string }>) {
        return reconciliation(this.pool, paymentLedger(ctx), ctx.params.date, new Date());
      },
    },
  },
};
