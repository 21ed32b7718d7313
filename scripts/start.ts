import path from "node:path";
import { ServiceBroker } from "moleculer";
import { brokerOptions } from "../shared/broker-options";
import { config } from "../shared/config/config";
import { runsAutovacuum } from "../shared/db/pool";
import { SERVICE_NAMES, selectServices } from "../shared/service-names";

/**
 * Starts the services named in SERVICES (default: all eight) in this process.
 * Processes with different subsets find each other over NATS. Moleculer
 * handles SIGTERM/SIGINT itself and stops the broker gracefully.
 */
async function main(): Promise<void> {
  const names = selectServices(process.env.SERVICES, SERVICE_NAMES);
  const broker = new ServiceBroker(brokerOptions(config));
  for (const name of names)
    broker.loadService(path.join(__dirname, "..", "services", name, `${name}.service.ts`));
  await broker.start();
  if (!(await runsAutovacuum(config))) {
    broker.logger.warn(
      "PostgreSQL runs without autovacuum: its statistics stay those of empty tables and queries slow down " +
        "as the tables grow; turn it on, or ANALYZE the tables regularly (docs/performance.md)",
    );
  }
}

main().catch((err) => {
  console.error(JSON.stringify({ level: "fatal", msg: "start failed", err: String(err?.stack ?? err) }));
  process.exit(1);
});
