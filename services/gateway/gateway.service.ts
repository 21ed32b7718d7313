import type { IncomingMessage, ServerResponse } from "node:http";
import type Redis from "ioredis";
import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import ApiGateway from "moleculer-web";
import { config } from "../../shared/config/config";
import { ROLES, type Role } from "../../shared/contracts/caller";
import { OmsError, toErrorBody } from "../../shared/errors";
import { createRedis } from "../../shared/redis";
import {
  type PersistentService,
  type PersistentServiceVars,
  persistentService,
} from "../../shared/service/persistent-service.mixin";
import { SERVICE_NAMES } from "../../shared/service-names";
import { type AuthUser, assertRole, signToken, verifyBearer } from "./auth";
import { claimKey, completeKey, purgeKeys, releaseKey, requestHash } from "./idempotency";
import { buildOpenApi } from "./openapi";
import { readinessReport, timedCheck } from "./readiness";
import { API_ROUTES } from "./routes";
import type { RouteDef } from "./routes/route-def";

interface GatewayVars extends PersistentServiceVars {
  redis: Redis;
  openApi: Record<string, unknown>;
  purgeTimer: NodeJS.Timeout;
}
// biome-ignore lint/suspicious/noExplicitAny: moleculer-web settings are untyped
type GatewaySettings = ServiceSettingSchema & Record<string, any>;
type Req = IncomingMessage & {
  $alias?: {
    roles?: RouteDef["roles"];
    status?: number;
    location?: RouteDef["location"];
    target?: string;
    method?: string;
    path?: string;
    webhook?: boolean;
  };
  originalUrl?: string;
  rawBody?: string;
};

/** Keeps the exact bytes of a webhook's body: its signature is over them, not over re-serialised JSON. */
function keepWebhookBody(req: Req, _res: Res, buf: Buffer): void {
  if ((req.originalUrl ?? req.url ?? "").includes("/callbacks/")) req.rawBody = buf.toString("utf8");
}
type Res = ServerResponse;

/** moleculer-web's and body-parser's own failures, by their `type` (or class name), in the API's codes. */
const EDGE_ERRORS: Record<string, OmsError> = {
  RateLimitExceeded: new OmsError("RATE_LIMITED", "Too many requests, slow down"),
  "entity.parse.failed": new OmsError("MALFORMED_JSON", "Request body is not valid JSON"),
  "entity.too.large": new OmsError("PAYLOAD_TOO_LARGE", "Request body is too large"),
  "encoding.unsupported": new OmsError("BAD_REQUEST", "Unsupported content encoding"),
};

/** Creating POSTs go through `gateway.idempotent`, which honours `Idempotency-Key` before calling the target. */
const aliases = Object.fromEntries(
  API_ROUTES.map((r) => [
    `${r.method} ${r.path}`,
    {
      roles: r.roles,
      status: r.status,
      location: r.location,
      ...(r.idempotent
        ? { action: "gateway.idempotent", target: r.action }
        : { action: r.action, webhook: r.webhook }),
    },
  ]),
);

/** What the idempotent wrapper needs to know about the route it serves. */
interface IdempotencyMeta {
  key?: string;
  target: string;
  route: string;
  status: number;
}

/** The REST edge: routes from API_ROUTES, JWT auth and roles, the API.md error format, health and readiness. */
const gatewayService: ServiceSchema<GatewaySettings, Record<string, never>, GatewayVars> = {
  name: "gateway",
  mixins: [ApiGateway, persistentService("gateway")],
  settings: {
    port: config.port,
    ip: config.host,
    log4XXResponses: false,
    logRequest: "debug",
    logResponse: "debug",
    rateLimit:
      config.rateLimitPerMinute > 0
        ? { window: 60_000, limit: config.rateLimitPerMinute, headers: true }
        : undefined,
    routes: [
      {
        path: "/",
        mappingPolicy: "restrict",
        bodyParsers: { json: false },
        aliases: {
          "GET health": "gateway.liveness",
          "GET ready": "gateway.readiness",
          "GET metrics": "gateway.metrics",
          "GET api/openapi.json": "gateway.openapi",
        },
      },
      {
        path: "/api/v1",
        mappingPolicy: "restrict",
        authentication: true,
        authorization: true,
        bodyParsers: { json: { strict: true, limit: "256kb", verify: keepWebhookBody } },
        aliases,
        onBeforeCall(
          ctx: Context<unknown, { idempotency?: IdempotencyMeta; rawBody?: string; signature?: string }>,
          _route: unknown,
          req: Req,
        ) {
          const alias = req.$alias;
          if (alias?.webhook) {
            const signature = req.headers["x-signature"];
            ctx.meta.rawBody = req.rawBody;
            ctx.meta.signature = Array.isArray(signature) ? signature[0] : signature;
            return;
          }
          if (!alias?.target) return;
          const header = req.headers["idempotency-key"];
          ctx.meta.idempotency = {
            key: Array.isArray(header) ? header[0] : header,
            target: alias.target,
            route: `${alias.method} ${alias.path}`,
            status: alias.status ?? 200,
          };
        },
        onAfterCall(
          ctx: Context<unknown, { $location?: string }>,
          _route: unknown,
          req: Req,
          res: Res,
          data: unknown,
        ) {
          const alias = req.$alias;
          if (alias?.status) res.statusCode = alias.status;
          // A 201 says where to read what it created (moleculer-web logs a warning for each 201 without).
          const location =
            data && typeof data === "object" ? alias?.location?.(data as Record<string, unknown>) : undefined;
          if (location) ctx.meta.$location = `/api/v1${location}`;
          return data;
        },
      },
    ],
    onError(this: PersistentService, req: Req, res: Res, err: Error & { type?: string }) {
      const mapped = EDGE_ERRORS[err.type ?? err.name] ?? err;
      if ((mapped as { type?: string }).type === "NOT_FOUND" && !(mapped instanceof OmsError)) {
        return sendJson(res, 404, {
          error: { code: "ROUTE_NOT_FOUND", message: "No such route", details: {} },
        });
      }
      const { status, body } = toErrorBody(mapped);
      if (status >= 500) this.logger.error("request failed", { url: req.url, err: err.stack ?? String(err) });
      sendJson(res, status, body);
    },
  },

  actions: {
    /** Liveness: the process answers. */
    liveness: { visibility: "published", handler: () => ({ status: "ok" }) },

    /** Readiness: PostgreSQL, Redis and NATS reachable and all eight services seen; 503 otherwise. */
    readiness: {
      visibility: "published",
      async handler(ctx: Context<unknown, { $statusCode?: number }>) {
        const checks = {
          postgres: await timedCheck(() => this.pool.query("SELECT 1")),
          redis: await timedCheck(() => this.redis.ping()),
          nats: await timedCheck(async () => {
            if (!this.broker.transit?.connected) throw new Error("transporter not connected");
          }),
        };
        const seen = this.broker.registry
          .getServiceList({ onlyAvailable: true, skipInternal: true })
          .map((s: { name: string }) => s.name);
        const report = readinessReport(checks, seen, SERVICE_NAMES);
        if (!report.ready) ctx.meta.$statusCode = 503;
        return report;
      },
    },

    /** Prometheus metrics of this process. */
    metrics: {
      visibility: "published",
      handler(ctx: Context<unknown, { $responseType?: string }>) {
        const reporters = (
          this.broker.metrics as unknown as { reporter?: { generatePrometheusResponse?: () => string }[] }
        ).reporter;
        const prometheus = reporters?.find((r) => typeof r.generatePrometheusResponse === "function");
        ctx.meta.$responseType = "text/plain; version=0.0.4; charset=utf-8";
        return prometheus?.generatePrometheusResponse?.() ?? "";
      },
    },

    /** The OpenAPI 3 document. */
    openapi: {
      visibility: "published",
      handler() {
        return this.openApi;
      },
    },

    /** A development token for any role; refused unless AUTH_DEV_TOKENS=true. */
    devToken: {
      visibility: "published",
      params: {
        userId: { type: "string", min: 1, max: 64 },
        role: { type: "enum", values: [...ROLES] },
        shopId: { type: "string", min: 1, max: 64, optional: true },
      },
      async handler(ctx: Context<{ userId: string; role: Role; shopId?: string }>) {
        if (!config.authDevTokens) throw new OmsError("NOT_FOUND", "Development tokens are disabled");
        const { userId, role, shopId } = ctx.params;
        if (role === "merchant" && !shopId) {
          throw new OmsError("VALIDATION_FAILED", "A merchant token needs a shopId", { field: "shopId" });
        }
        const user: AuthUser =
          shopId !== undefined && role === "merchant" ? { userId, role, shopId } : { userId, role };
        return { token: await signToken(user, config.jwtSecret) };
      },
    },

    /** Runs a creating request once per (caller, Idempotency-Key); retries get the first answer (API.md). */
    idempotent: {
      visibility: "published",
      async handler(
        ctx: Context<
          Record<string, unknown>,
          { user: AuthUser; idempotency: IdempotencyMeta; $statusCode?: number }
        >,
      ) {
        const { key, target, route, status } = ctx.meta.idempotency;
        if (key === undefined) return ctx.call(target, ctx.params);
        if (!/^[\x21-\x7e]{1,128}$/.test(key)) {
          throw new OmsError("VALIDATION_FAILED", "Idempotency-Key must be 1-128 visible ASCII characters", {
            header: "Idempotency-Key",
          });
        }
        const caller = `${ctx.meta.user.role}:${ctx.meta.user.userId}`;
        const claim = await claimKey(this.pool, caller, key, route, requestHash(route, ctx.params));
        if (claim.kind === "replay") {
          ctx.meta.$statusCode = claim.status;
          return claim.body;
        }
        try {
          const result = await ctx.call(target, ctx.params);
          await completeKey(this.pool, caller, key, status, result);
          return result;
        } catch (err) {
          await releaseKey(this.pool, caller, key);
          throw err;
        }
      },
    },

    /** The caller as the token says. */
    me: { visibility: "published", handler: (ctx: Context<unknown, { user: AuthUser }>) => ctx.meta.user },

    /** Every service instance's own health, asked over the transporter. */
    servicesHealth: {
      visibility: "published",
      async handler(ctx: Context) {
        const instances = this.broker.registry
          .getServiceList({ onlyAvailable: true, skipInternal: true })
          .filter((s: { name: string }) => (SERVICE_NAMES as readonly string[]).includes(s.name));
        const items = await Promise.all(
          instances.map(async ({ name, nodeID }) => {
            try {
              return await ctx.call(`${name}.health`, {}, { nodeID, timeout: 2000 });
            } catch (err) {
              return { service: name, nodeID, status: "down", error: (err as Error).message };
            }
          }),
        );
        return { items };
      },
    },
  },

  methods: {
    /** Public routes need no token; every other route needs a valid bearer token. */
    async authenticate(_ctx: Context, _route: unknown, req: Req) {
      if (req.$alias?.roles === "public") return null;
      return verifyBearer(req.headers.authorization, config.jwtSecret);
    },

    /** The route's roles decide; ownership of a resource is the owning service's check. */
    authorize(ctx: Context<unknown, { user?: AuthUser }>, _route: unknown, req: Req) {
      const roles = req.$alias?.roles;
      if (roles && roles !== "public") assertRole(ctx.meta.user, roles);
    },
  },

  created() {
    this.openApi = buildOpenApi(API_ROUTES, process.env.npm_package_version ?? "0.1.0");
  },

  async started() {
    this.redis = createRedis(config, { lazyConnect: false, enableAutoPipelining: true });
    this.purgeTimer = setInterval(() => {
      purgeKeys(this.pool).catch((err) => this.logger.warn("idempotency key purge failed", err));
    }, 3_600_000);
    this.purgeTimer.unref();
  },

  async stopped() {
    clearInterval(this.purgeTimer);
    this.redis?.disconnect();
  },
};

function sendJson(res: Res, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

export default gatewayService;
