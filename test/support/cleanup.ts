import { connect } from "nats";
import { Client } from "pg";
import { loadConfig } from "../../shared/config/config";
import { createRedis } from "../../shared/redis";

/** Drops every schema, Redis key and JetStream stream that carries `runId`. */
export async function cleanupRun(runId: string): Promise<void> {
  const cfg = loadConfig();
  const pg = new Client({ connectionString: cfg.databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1",
      [`${runId}\\_%`],
    );
    for (const { nspname } of rows) await pg.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  } finally {
    await pg.end();
  }

  const redis = createRedis(cfg);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${runId}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }

  const nc = await connect({ servers: cfg.natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(`${runId}_`)) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nc.close();
  }
}
