import type { AddressInfo } from "node:net";
import { ServiceBroker } from "moleculer";
import gatewayService from "../../services/gateway/gateway.service";
import { brokerOptions } from "../../shared/broker-options";
import { loadConfig } from "../../shared/config/config";
import { request } from "../support/http";

describe("gateway rate limit", () => {
  let broker: ServiceBroker;
  let url: string;

  beforeAll(async () => {
    broker = new ServiceBroker(
      brokerOptions(loadConfig(), {
        nodeID: `rate-limit-${process.pid}`,
        logger: false,
        skipProcessEventRegistration: true,
      }),
    );
    broker.createService({
      mixins: [gatewayService],
      settings: { rateLimit: { window: 60_000, limit: 3, headers: true } },
    } as never);
    await broker.start();
    const gateway = broker.getLocalService("gateway") as unknown as { server: { address(): AddressInfo } };
    url = `http://127.0.0.1:${gateway.server.address().port}`;
  });
  afterAll(() => broker.stop());

  it("answers 429 RATE_LIMITED in the API's error format once a client passes its limit", async () => {
    for (let i = 0; i < 3; i++) expect((await request(url, "GET", "/health")).status).toBe(200);
    const limited = await request(url, "GET", "/health");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: { code: "RATE_LIMITED", message: "Too many requests, slow down", details: {} },
    });
  });
});
