import { buildOpenApi } from "../../../services/gateway/openapi";
import { API_ROUTES } from "../../../services/gateway/routes";

describe("buildOpenApi", () => {
  const doc = buildOpenApi(API_ROUTES, "0.0.0") as { paths: Record<string, Record<string, any>> };

  it("describes the parent order's waitMs as an optional integer query parameter, after the path parameter", () => {
    const parameters = doc.paths["/api/v1/parent-orders/{parentOrderNo}"]!.get.parameters;
    expect(parameters).toEqual([
      { name: "parentOrderNo", in: "path", required: true, schema: { type: "string" } },
      {
        name: "waitMs",
        in: "query",
        required: false,
        description: expect.stringContaining("PENDING_PAYMENT"),
        schema: { type: "integer", minimum: 0, maximum: 10_000 },
      },
    ]);
  });

  it("lists only path parameters for a route without query parameters", () => {
    expect(doc.paths["/api/v1/orders/{orderNo}/timeline"]!.get.parameters).toEqual([
      { name: "orderNo", in: "path", required: true, schema: { type: "string" } },
    ]);
  });
});
