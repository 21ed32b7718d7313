import { SERVICE_NAMES } from "../../shared/service-names";
import { devToken, request } from "../support/http";
import { freePort, type SystemProcess, spawnSystem } from "../support/processes";
import { waitFor } from "../support/system";

describe("services as separate processes", () => {
  const started: SystemProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
  });

  it("runs all eight services with `npm start`'s entry and is ready", async () => {
    const port = await freePort();
    const all = spawnSystem("", { PORT: String(port) });
    started.push(all);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      "the full system to be ready",
      async () => (await request(url, "GET", "/ready")).status === 200,
      30_000,
    );
    const ready = await request(url, "GET", "/ready");
    expect(ready.body.services).toEqual([...SERVICE_NAMES].sort());
    expect(await all.stop()).toBe(0);
  });

  it("routes a request from a gateway process to an order process over NATS", async () => {
    const port = await freePort();
    const gateway = spawnSystem("gateway", { PORT: String(port), NODE_ID: "proc-gateway" });
    const order = spawnSystem("order", { NODE_ID: "proc-order" });
    started.push(gateway, order);
    const url = `http://127.0.0.1:${port}`;

    await waitFor(
      "the gateway to see the order service",
      async () => {
        const res = await request(url, "GET", "/ready");
        return res.body?.services?.includes("order") === true;
      },
      30_000,
    ).catch((err) => {
      throw new Error(`${err.message}\ngateway: ${gateway.output()}\norder: ${order.output()}`);
    });

    const ready = await request(url, "GET", "/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.services).toEqual(["gateway", "order"]);
    expect(ready.body.missingServices).toEqual(SERVICE_NAMES.filter((n) => n !== "gateway" && n !== "order"));

    const token = await devToken(url, "admin-1", "admin");
    const health = await request(url, "GET", "/api/v1/admin/services", { token });
    expect(health.status).toBe(200);
    const orderHealth = health.body.items.find((i: { service: string }) => i.service === "order");
    expect(orderHealth).toMatchObject({ service: "order", nodeID: "proc-order", status: "ok" });

    expect(await order.stop()).toBe(0);
    expect(await gateway.stop()).toBe(0);
  });
});
