import { SignJWT } from "jose";
import { loadConfig } from "../../shared/config/config";
import { SERVICE_NAMES } from "../../shared/service-names";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem } from "../support/system";

describe("gateway", () => {
  let system: TestSystem;
  let url: string;

  beforeAll(async () => {
    system = await startSystem();
    url = system.baseUrl;
  });
  afterAll(() => system.stop());

  it("answers liveness", async () => {
    const res = await request(url, "GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("is ready with PostgreSQL, Redis and NATS reachable and lists all eight services", async () => {
    const res = await request(url, "GET", "/ready");
    expect(res.status).toBe(200);
    expect(res.body.ready).toBe(true);
    expect(res.body.services).toEqual([...SERVICE_NAMES].sort());
    expect(res.body.missingServices).toEqual([]);
    for (const dep of ["postgres", "redis", "nats"]) expect(res.body.checks[dep].ok).toBe(true);
  });

  it("serves Prometheus metrics", async () => {
    const res = await request(url, "GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(res.body).toContain("moleculer_request_total");
    // The event loop gauges (shared/event-loop-metrics.ts), what to scale a process out on.
    expect(res.body).toContain("process_eventloop_utilization");
    expect(res.body).toContain("process_eventloop_delay_p99");
  });

  it("serves the OpenAPI document with every API route", async () => {
    const res = await request(url, "GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.0.3");
    expect(res.body.paths["/api/v1/auth/dev-token"].post).toBeDefined();
    expect(res.body.paths["/ready"].get).toBeDefined();
    expect(res.body.components.schemas.Error).toBeDefined();
  });

  it("issues dev tokens that carry the role and shop", async () => {
    const token = await devToken(url, "m-1", "merchant", "shop-9");
    const me = await request(url, "GET", "/api/v1/me", { token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ userId: "m-1", role: "merchant", shopId: "shop-9" });
  });

  it("refuses a dev token with a bad role, naming the field", async () => {
    const res = await request(url, "POST", "/api/v1/auth/dev-token", { body: { userId: "u", role: "root" } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.details.field).toBe("role");
  });

  it("refuses a merchant dev token without a shop", async () => {
    const res = await request(url, "POST", "/api/v1/auth/dev-token", {
      body: { userId: "u", role: "merchant" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.field).toBe("shopId");
  });

  it("answers an unknown route with a 404 JSON error", async () => {
    const res = await request(url, "GET", "/api/v1/no-such-thing");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "ROUTE_NOT_FOUND", message: "No such route", details: {} } });
    const outside = await request(url, "GET", "/nowhere");
    expect(outside.status).toBe(404);
    expect(outside.body.error.code).toBe("ROUTE_NOT_FOUND");
  });

  it("answers malformed JSON with 400", async () => {
    const res = await request(url, "POST", "/api/v1/auth/dev-token", { rawBody: '{"userId": "u", ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("MALFORMED_JSON");
  });

  it("answers an oversize body with 413", async () => {
    const res = await request(url, "POST", "/api/v1/auth/dev-token", {
      body: { userId: "u", role: "buyer", pad: "x".repeat(300 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers a missing token with 401", async () => {
    const res = await request(url, "GET", "/api/v1/me");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHORIZED");
    expect(res.body.error.details.header).toBe("Authorization");
  });

  it("answers a token signed with another secret with 401", async () => {
    const forged = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("intruder")
      .setIssuer("oms")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("not-the-secret"));
    const res = await request(url, "GET", "/api/v1/me", { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe("Invalid token");
  });

  it("answers an expired token with 401", async () => {
    const expired = await new SignJWT({ role: "buyer" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .setIssuer("oms")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(loadConfig().jwtSecret));
    const res = await request(url, "GET", "/api/v1/me", { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe("Token expired");
  });

  it("forbids a role the route does not allow with 403", async () => {
    const token = await devToken(url, "b-1", "buyer");
    const res = await request(url, "GET", "/api/v1/admin/services", { token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
  });

  it("lets an admin see every service's health over the broker", async () => {
    const token = await devToken(url, "a-1", "admin");
    const res = await request(url, "GET", "/api/v1/admin/services", { token });
    expect(res.status).toBe(200);
    const names = res.body.items.map((i: { service: string }) => i.service).sort();
    expect(names).toEqual([...SERVICE_NAMES].sort());
    for (const item of res.body.items) expect(item.status).toBe("ok");
  });

  it("echoes the request id", async () => {
    const res = await request(url, "GET", "/health", { headers: { "x-request-id": "req-42" } });
    expect(res.headers.get("x-request-id")).toBe("req-42");
  });
});
