import type { RouteDef } from "./routes/route-def";

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "details"],
      properties: {
        code: { type: "string", example: "OUT_OF_STOCK" },
        message: { type: "string" },
        details: { type: "object" },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const OPERATIONS_PATHS = {
  "/health": {
    get: { tags: ["Operations"], summary: "Liveness", responses: { 200: { description: "alive" } } },
  },
  "/ready": {
    get: {
      tags: ["Operations"],
      summary: "Readiness: PostgreSQL, Redis and NATS reachable, and the services the broker sees",
      responses: { 200: { description: "ready" }, 503: { description: "not ready" } },
    },
  },
  "/metrics": {
    get: { tags: ["Operations"], summary: "Prometheus metrics", responses: { 200: { description: "text" } } },
  },
};

/** `/orders/:orderNo` -> `/orders/{orderNo}` and the names of its path parameters. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: converted, params };
}

function operation(route: RouteDef) {
  const { params } = openApiPath(route.path);
  const secured = route.roles !== "public";
  return {
    tags: [route.tag],
    summary: route.summary,
    ...(secured ? { security: [{ bearer: [] }], "x-roles": route.roles } : {}),
    parameters: [
      ...params.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
      ...Object.entries(route.query ?? {}).map(([name, q]) => ({
        name,
        in: "query",
        required: false,
        description: q.description,
        schema: q.schema,
      })),
    ],
    ...(route.body
      ? { requestBody: { required: true, content: { "application/json": { schema: route.body } } } }
      : {}),
    responses: {
      [route.status ?? 200]: { description: "success" },
      400: errorResponse("malformed request"),
      ...(secured ? { 401: errorResponse("no or bad token"), 403: errorResponse("not yours") } : {}),
      422: errorResponse("validation or business rule"),
    },
  };
}

/** The OpenAPI 3 document of the gateway, built from the same table that builds its routes. */
export function buildOpenApi(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = { ...OPERATIONS_PATHS };
  for (const route of routes) {
    const key = `/api/v1${openApiPath(route.path).path}`;
    paths[key] = { ...paths[key], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: "3.0.3",
    info: { title: "Order management system API", version },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
