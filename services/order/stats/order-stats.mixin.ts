import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { Pool } from "pg";
import type { ChannelDef, ChannelsSchema } from "../../../shared/channels";
import { type Caller, callerOf } from "../../../shared/contracts/caller";
import { STATS_CONSUMERS } from "./stats-events";
import { type OverviewParams, statsOverview } from "./stats-overview";

type StatsService = Service & { pool: Pool };

/** Handlers that already run the statistics after the service's own, so applying twice changes nothing. */
const chained = new WeakSet<ChannelDef<StatsService>["handler"]>();

/**
 * The service's channels plus the statistics' consumers. A channel the service does not consume yet gets
 * its own subscription (group `order-stats-...`). A channel it already consumes (`order.closed`,
 * `refund.succeeded`) cannot get a second subscription in the same service — the channels adapter keys a
 * subscription by node, service and channel name — so there the statistics run after the service's own
 * handler in the same delivery, still under their own inbox key: a redelivery after either failed repeats
 * only what did not commit.
 */
export function withStatsChannels(channels: ChannelsSchema<StatsService>): ChannelsSchema<StatsService> {
  const merged: ChannelsSchema<StatsService> = { ...channels };
  for (const [channel, stats] of Object.entries(STATS_CONSUMERS)) {
    const own = channels[channel];
    if (own?.group === stats.group || (own && chained.has(own.handler))) continue;
    const def: ChannelDef<StatsService> = own
      ? {
          ...own,
          async handler(envelope, raw) {
            await own.handler.call(this, envelope, raw);
            await stats.handle(this.pool, envelope);
          },
        }
      : {
          group: stats.group,
          handler(envelope) {
            return stats.handle(this.pool, envelope);
          },
        };
    if (own) chained.add(def.handler);
    merged[channel] = def;
  }
  return merged;
}

type StatsMixin = Partial<ServiceSchema<ServiceSettingSchema, Record<string, never>, { pool: Pool }>> & {
  merged(schema: { channels?: ChannelsSchema }): void;
};

const mixin: StatsMixin = {
  actions: {
    /** GET /stats/overview: the figures of DOMAIN.md 12 over a period, for a shop or the platform. */
    statsOverview: {
      params: {
        from: { type: "string", max: 40, optional: true },
        to: { type: "string", max: 40, optional: true },
        shopId: { type: "string", min: 1, max: 64, optional: true },
        $$strict: "remove",
      },
      handler(ctx: Context<OverviewParams, { user?: Caller }>) {
        return statsOverview(this.pool, callerOf(ctx.meta), ctx.params, new Date());
      },
    },
  },

  /**
   * Moleculer's mixin merge keeps only the service's own `channels` block (an unknown schema key is
   * overwritten, not merged), so the statistics' channels are added to the merged schema here.
   */
  merged(schema) {
    schema.channels = withStatsChannels(
      (schema.channels ?? {}) as ChannelsSchema<StatsService>,
    ) as ChannelsSchema;
  },
};

/** Order statistics: daily figures maintained from the order service's own events, and the overview query. */
export const orderStats = mixin as Partial<ServiceSchema>;
