import { NODE_CODES, NODES } from "../../../services/notification/domain/nodes";
import { validateRule } from "../../../services/notification/domain/rule";

/** The thrown error's API shape: type, HTTP code and details. */
function errorOf(run: () => unknown) {
  try {
    run();
  } catch (err) {
    const e = err as { type: string; code: number; data: Record<string, unknown> };
    return { type: e.type, code: e.code, data: e.data };
  }
  throw new Error("expected an error");
}

const VALID = { recipients: ["BUYER"], channels: ["IN_APP", "SMS"], template: "订单 {orderNo} 已发货" };

describe("validateRule", () => {
  it("accepts a rule using only the node's placeholders, enabled unless told otherwise", () => {
    expect(validateRule("SHIPPED", VALID)).toEqual({
      node: "SHIPPED",
      recipients: ["BUYER"],
      channels: ["IN_APP", "SMS"],
      template: "订单 {orderNo} 已发货",
      enabled: true,
    });
    expect(validateRule("SHIPPED", { ...VALID, enabled: false }).enabled).toBe(false);
  });

  it("drops repeated recipients and channels and keeps them in their canonical order", () => {
    const rule = validateRule("SHIPPED", {
      ...VALID,
      recipients: ["OPERATOR", "BUYER", "BUYER"],
      channels: ["SMS", "IN_APP", "SMS"],
    });
    expect(rule.recipients).toEqual(["BUYER", "OPERATOR"]);
    expect(rule.channels).toEqual(["IN_APP", "SMS"]);
  });

  it("answers 404 NOT_FOUND for an unknown node", () => {
    expect(errorOf(() => validateRule("ORDER_EXPLODED", VALID))).toEqual({
      type: "NOT_FOUND",
      code: 404,
      data: { node: "ORDER_EXPLODED" },
    });
  });

  it("answers 422 naming recipients for an unknown recipient", () => {
    expect(
      errorOf(() => validateRule("SHIPPED", { ...VALID, recipients: ["BUYER", "COURIER"] })),
    ).toMatchObject({
      type: "VALIDATION_FAILED",
      code: 422,
      data: { field: "recipients", value: "COURIER" },
    });
  });

  it("answers 422 naming channels for an unknown channel, and for an empty list", () => {
    expect(errorOf(() => validateRule("SHIPPED", { ...VALID, channels: ["EMAIL"] }))).toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "channels", value: "EMAIL" },
    });
    expect(errorOf(() => validateRule("SHIPPED", { ...VALID, channels: [] }))).toMatchObject({
      data: { field: "channels" },
    });
  });

  it("answers 422 {field: template, placeholder} for a placeholder the node does not offer", () => {
    expect(
      errorOf(() => validateRule("SHIPPED", { ...VALID, template: "{orderNo} 实付 {amount}" })),
    ).toMatchObject({
      type: "VALIDATION_FAILED",
      code: 422,
      data: { field: "template", placeholder: "amount" },
    });
    expect(
      errorOf(() => validateRule("COMPLETED", { ...VALID, template: "{orderNo} {nickname}" })),
    ).toMatchObject({ data: { field: "template", placeholder: "nickname" } });
  });

  it("answers 422 naming template for an empty or overlong template", () => {
    expect(errorOf(() => validateRule("SHIPPED", { ...VALID, template: "  " }))).toMatchObject({
      data: { field: "template" },
    });
    expect(errorOf(() => validateRule("SHIPPED", { ...VALID, template: "x".repeat(501) }))).toMatchObject({
      data: { field: "template" },
    });
  });

  it("accepts, for every node, a template made of all its placeholders", () => {
    for (const node of NODE_CODES) {
      const template = NODES[node].placeholders.map((p) => `{${p}}`).join(" ");
      expect(validateRule(node, { ...VALID, recipients: ["OPERATOR"], template }).template).toBe(template);
    }
  });
});
