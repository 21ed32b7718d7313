import type { Logger, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { Pool } from "pg";
import { publishToChannel } from "../channels";
import { config } from "../config/config";
import { migrate, migrationsDir } from "../db/migrate";
import { createPool, schemaName } from "../db/pool";
import { housekeepingCutoffs, purgeOutboxInbox } from "../outbox/housekeeping";
import { OUTBOX_INBOX_SQL } from "../outbox/outbox.sql";
import { OutboxRelay } from "../outbox/outbox-relay";
import type { ServiceName } from "../service-names";

/** What the mixin adds to a service instance. */
export interface PersistentServiceVars {
  pool: Pool;
  dbSchema: string;
  relay: OutboxRelay;
  housekeeping: NodeJS.Timeout | undefined;
}

export type PersistentService = Service & PersistentServiceVars;

/**
 * Gives a service its own PostgreSQL schema (migrated on start), a pool that
 * sees only that schema, an outbox relay publishing its durable events, the
 * housekeeping that deletes outbox and inbox rows past their retention (every
 * HOUSEKEEPING_EVERY on each instance, 0 for never; concurrent runs skip each other's rows),
 * and a `health` action.
 */
export function persistentService(name: ServiceName): Partial<ServiceSchema> {
  const mixin: Partial<ServiceSchema<ServiceSettingSchema, Record<string, never>, PersistentServiceVars>> = {
    actions: {
      /** Liveness of this service instance and its database. */
      health: {
        visibility: "public",
        async handler() {
          const started = Date.now();
          await this.pool.query("SELECT 1");
          return {
            service: name,
            nodeID: this.broker.nodeID,
            status: "ok",
            databaseMs: Date.now() - started,
          };
        },
      },
    },

    async started() {
      this.dbSchema = schemaName(config, name);
      this.pool = createPool(config, this.dbSchema);
      const applied = await migrate(this.pool, this.dbSchema, migrationsDir(name), OUTBOX_INBOX_SQL);
      if (applied.length > 0) this.logger.info("migrations applied", { schema: this.dbSchema, applied });
      this.relay = new OutboxRelay({
        pool: this.pool,
        publish: (channel, envelope) => publishToChannel(this.broker, channel, envelope),
        pollMs: config.outboxPollMs,
        logger: this.logger,
      });
      this.relay.start();
      this.housekeeping = scheduleHousekeeping(this.pool, this.logger);
    },

    async stopped() {
      clearInterval(this.housekeeping);
      await this.relay?.stop();
      await this.pool?.end();
    },
  };
  return mixin as Partial<ServiceSchema>;
}

/** Every HOUSEKEEPING_EVERY (0: never), deletes this service's outbox and inbox rows past their retention. */
function scheduleHousekeeping(pool: Pool, logger: Logger): NodeJS.Timeout | undefined {
  if (config.housekeepingEveryMs <= 0) return undefined;
  const timer = setInterval(() => {
    const cutoffs = housekeepingCutoffs(new Date(), {
      outboxMs: config.outboxRetentionMs,
      inboxMs: config.inboxRetentionMs,
    });
    purgeOutboxInbox(pool, cutoffs).then(
      (deleted) => {
        if (deleted.outbox + deleted.inbox > 0) logger.info("outbox and inbox rows deleted", deleted);
      },
      (err: Error) => logger.warn("outbox and inbox housekeeping failed", { error: err.message }),
    );
  }, config.housekeepingEveryMs);
  timer.unref();
  return timer;
}
