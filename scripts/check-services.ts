import { connect } from "nats";
import { Client } from "pg";
import { config } from "../shared/config/config";
import { createRedis } from "../shared/redis";

/** Exits 0 when PostgreSQL, Redis and NATS with JetStream answer; prints what is missing otherwise. */
async function main(): Promise<void> {
  const failures: string[] = [];
  const pg = new Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 2000 });
  await pg
    .connect()
    .then(() => pg.query("SELECT 1"))
    .catch((err) => failures.push(`postgres: ${err.message}`))
    .finally(() => pg.end().catch(() => undefined));

  const redis = createRedis(config, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  await redis
    .connect()
    .then(() => redis.ping())
    .catch((err) => failures.push(`redis: ${err.message}`))
    .finally(() => redis.disconnect());

  await connect({ servers: config.natsUrl, timeout: 2000, reconnect: false })
    .then(async (nc) => {
      await (await nc.jetstreamManager())
        .getAccountInfo()
        .catch((err) => failures.push(`jetstream: ${err.message}`));
      await nc.close();
    })
    .catch((err) => failures.push(`nats: ${err.message}`));

  if (failures.length > 0) {
    console.error(failures.join("\n"));
    process.exit(1);
  }
  console.log("postgres, redis and nats (jetstream) are up");
}

void main();
