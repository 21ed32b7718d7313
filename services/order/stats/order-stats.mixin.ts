import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { Pool } from "pg";
import type { ChannelDef, ChannelsSchema } from "../../../shared/channels";
import { type Caller, callerOf } from "../../../shared/contracts/caller";
import { STATS_CONSUMERS } from "./stats-events";
import { type OverviewParams, statsOverview } from "./stats-overview";

type StatsService = Service & { pool: Pool };

/**
 * The service's channels plus the statistics' consumers. A channel the service does not consume yet gets
 * its own subscription (group `order-stats-...`). A channel it already consumes (`order.closed`,
 * `refund.succeeded`) cannot get a second subscription in the same service — the channels adapter keys a
 * subscription by node, service and channel name — so there the statistics run after the service's own
 * handler in the same delivery, still under their own inbox key: a redelivery after either failed repeats
 * only what did not commit. A batching consumer's own subscription lets enough deliveries in flight for its
 * batches to form.
 */
export function withStatsChannels<T extends StatsService>(channels: ChannelsSchema<T>): ChannelsSchema<T> {
  const merged: ChannelsSchema<T> = { ...channels };
  for (const [channel, stats] of Object.entries(STATS_CONSUMERS)) {
    const own = channels[channel];
    const def: ChannelDef<T> = own
      ? {
          ...own,
          async handler(envelope, raw) {
            await own.handler.call(this, envelope, raw);
            await stats.handle(this.pool, envelope);
          },
        }
      : {
          group: stats.group,
          ...(stats.maxInFlight ? { maxInFlight: stats.maxInFlight } : {}),
          handler(envelope) {
            return stats.handle(this.pool, envelope);
          },
        };
    merged[channel] = def;
  }
  return merged;
}

/** The statistics overview action; the consumers are added to the service's channels by `withStatsChannels`. */
export const orderStats: Partial<ServiceSchema<ServiceSettingSchema, Record<string, never>, { pool: Pool }>> =
  {
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
  };
