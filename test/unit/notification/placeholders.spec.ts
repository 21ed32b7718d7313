import { NODE_CODES, NODES } from "../../../services/notification/domain/nodes";
import {
  carrierName,
  formatDeadline,
  formatYuan,
  placeholdersIn,
  render,
  unofferedPlaceholder,
} from "../../../services/notification/domain/placeholders";

describe("template placeholders", () => {
  it("lists the placeholders a template uses, once each, in order", () => {
    expect(placeholdersIn("{orderNo} {amount} {orderNo} {deadline}")).toEqual([
      "orderNo",
      "amount",
      "deadline",
    ]);
  });

  it("treats braces that do not wrap a name as plain text", () => {
    expect(placeholdersIn("{} { orderNo } {1x} {order-no} {{orderNo}}")).toEqual(["orderNo"]);
  });

  it("names the first placeholder the node does not offer", () => {
    expect(unofferedPlaceholder("SHIPPED", "{orderNo} {carrier} {trackingNo}")).toBeNull();
    expect(unofferedPlaceholder("SHIPPED", "{orderNo} paid {amount} by {deadline}")).toBe("amount");
    expect(unofferedPlaceholder("COMPLETED", "{orderNo} {refund}")).toBe("refund");
  });
});

describe("the placeholders each node offers", () => {
  const TABLE: Record<string, string[]> = {
    ORDER_PLACED: ["orderNo", "amount", "deadline"],
    PAYMENT_SUCCEEDED: ["orderNo", "amount"],
    PAYMENT_DUE_SOON: ["orderNo", "amount", "deadline"],
    SHIP_OVERDUE: ["orderNo", "deadline"],
    SHIPPED: ["orderNo", "carrier", "trackingNo"],
    SIGNED: ["orderNo", "carrier", "trackingNo"],
    AUTO_CONFIRM_SOON: ["orderNo", "deadline"],
    COMPLETED: ["orderNo"],
    AFTER_SALES_CREATED: ["orderNo", "afterSalesNo", "amount", "reason"],
    AFTER_SALES_APPROVED: ["orderNo", "afterSalesNo", "amount"],
    AFTER_SALES_REJECTED: ["orderNo", "afterSalesNo", "reason"],
    AFTER_SALES_APPEALED: ["orderNo", "afterSalesNo", "reason"],
    AFTER_SALES_APPEAL_REJECTED: ["orderNo", "afterSalesNo", "reason"],
    AFTER_SALES_REFUNDED: ["orderNo", "afterSalesNo", "amount"],
    RECONCILIATION_MISMATCHED: ["date", "count", "kinds"],
    STOCK_DRIFTED: ["checkId", "date", "count", "kinds"],
    STOCK_DRIFT_CLEARED: ["checkId", "date", "previousCheckId"],
  };

  it("has exactly the nodes of the table, in order-flow order", () => {
    expect(NODE_CODES).toEqual(Object.keys(TABLE));
  });

  it.each(Object.entries(TABLE))("offers %s exactly %j", (node, placeholders) => {
    expect(NODES[node as keyof typeof NODES].placeholders).toEqual(placeholders);
  });

  it("lets SHIP_OVERDUE name the order and the deadline, nothing else", () => {
    expect(unofferedPlaceholder("SHIP_OVERDUE", "订单 {orderNo} 应于 {deadline} 前发货")).toBeNull();
    expect(unofferedPlaceholder("SHIP_OVERDUE", "{orderNo} {amount}")).toBe("amount");
    expect(unofferedPlaceholder("SHIP_OVERDUE", "{orderNo} {carrier}")).toBe("carrier");
  });
});

describe("render", () => {
  it("fills every placeholder with the event's value", () => {
    expect(
      render("订单 {orderNo} 已发货，{carrier} 运单号 {trackingNo}。", {
        orderNo: "2611260000000001",
        carrier: "顺丰速运",
        trackingNo: "SF1234567890123",
      }),
    ).toBe("订单 2611260000000001 已发货，顺丰速运 运单号 SF1234567890123。");
  });

  it("fills a placeholder used twice both times", () => {
    expect(render("{orderNo}/{orderNo}", { orderNo: "A1" })).toBe("A1/A1");
  });

  it("shows '-' for a known placeholder the event has no value for", () => {
    expect(render("by {carrier} {trackingNo}", { carrier: undefined })).toBe("by - -");
  });

  it("leaves unknown names and stray braces as written", () => {
    expect(render("{orderNo} {unknown} {", { orderNo: "A1" })).toBe("A1 {unknown} {");
  });
});

describe("formatYuan", () => {
  it.each([
    [12345, "123.45"],
    [100, "1.00"],
    [5, "0.05"],
    [0, "0.00"],
    [99_999_999_999, "999999999.99"],
    [-250, "-2.50"],
  ])("formats %i fen as %s", (minor, yuan) => {
    expect(formatYuan(minor)).toBe(yuan);
  });
});

describe("formatDeadline", () => {
  it("reads an instant in China Standard Time to the minute", () => {
    expect(formatDeadline("2026-11-26T10:30:59.999Z")).toBe("2026-11-26 18:30");
    expect(formatDeadline(new Date("2026-12-31T16:05:00Z"))).toBe("2027-01-01 00:05");
  });

  it("shows '-' for an unreadable instant", () => {
    expect(formatDeadline("soon")).toBe("-");
  });
});

describe("carrierName", () => {
  it("names known carriers as buyers know them and keeps unknown codes", () => {
    expect(carrierName("SF")).toBe("顺丰速运");
    expect(carrierName("JD")).toBe("京东物流");
    expect(carrierName("DHL")).toBe("DHL");
    expect(carrierName(null)).toBeUndefined();
  });
});
