import { config } from "../shared/config/config";
import { migrate, migrationsDir } from "../shared/db/migrate";
import { createPool, schemaName } from "../shared/db/pool";
import { OUTBOX_INBOX_SQL } from "../shared/outbox/outbox.sql";
import { SERVICE_NAMES, selectServices } from "../shared/service-names";

/** Applies every service's migrations (the ones in SERVICES, default all) without starting anything. */
async function main(): Promise<void> {
  for (const name of selectServices(process.env.SERVICES, SERVICE_NAMES)) {
    const schema = schemaName(config, name);
    const pool = createPool(config, schema);
    try {
      const applied = await migrate(pool, schema, migrationsDir(name), OUTBOX_INBOX_SQL);
      console.log(JSON.stringify({ msg: "migrated", schema, applied }));
    } finally {
      await pool.end();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
