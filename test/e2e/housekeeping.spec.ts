import { Pool } from "pg";
import { loadConfig } from "../../shared/config/config";
import { schemaName } from "../../shared/db/pool";
import { CatalogBuilder } from "../support/catalog";
import { request } from "../support/http";
import { placeCheckout } from "../support/payment-flow";
import { freePort, spawnSystem } from "../support/processes";
import { waitFor } from "../support/system";

const cfg = loadConfig();

describe("each service deletes its published outbox rows past the retention, by itself", () => {
  const pool = new Pool({ connectionString: cfg.databaseUrl, max: 2 });
  afterAll(() => pool.end());

  it("drops a placed order's published event and keeps the consumers' inbox rows", async () => {
    const port = await freePort();
    // Every second, and a retention of two, so the test sees it; the defaults are 1h and 7d.
    const system = spawnSystem("", { PORT: String(port), HOUSEKEEPING_EVERY: "1s", OUTBOX_RETENTION: "2s" });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        "the system",
        async () => (await request(url, "GET", "/ready").catch(() => null))?.status === 200,
      );
      const { checkout } = await placeCheckout(await CatalogBuilder.create(url));
      const orderNo = checkout.orders[0].orderNo as string;
      const schema = schemaName(cfg, "order");
      const events = async () =>
        (
          await pool.query(`SELECT event_id::text FROM "${schema}".outbox WHERE payload->>'orderNo' = $1`, [
            orderNo,
          ])
        ).rows.map((r) => r.event_id as string);
      // Read at once: the event is younger than the retention.
      const placed = await events();
      expect(placed).toHaveLength(1);
      await waitFor("the published event deleted", async () => (await events()).length === 0);
      // Its consumers' inbox rows stay (at least 8 days): a redelivery is still recognised.
      const inbox = await pool.query(`SELECT consumer FROM "${schema}".inbox WHERE event_id = $1`, placed);
      expect(inbox.rows.length).toBeGreaterThan(0);
    } catch (err) {
      throw new Error(`${err}\n${system.output().slice(-2000)}`);
    } finally {
      await system.stop();
    }
  });
});
