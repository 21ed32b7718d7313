import { planDeliveries } from "../../../services/notification/domain/delivery-plan";
import {
  AFTER_SALES_NODES,
  afterSalesNotification,
  completedNotification,
  paidNotification,
  placedNotification,
  shipOverdueNotification,
  shippedNotification,
  signedNotification,
} from "../../../services/notification/domain/event-notifications";
import type { Rule } from "../../../services/notification/domain/nodes";
import { inboxOf, recipientKey } from "../../../services/notification/domain/recipients";
import type { AfterSalesStepPayload, OrderStepPayload } from "../../../shared/contracts/order.contract";

const ORDER = { orderNo: "2611260000000001", parentOrderNo: "2611260000000000", buyerId: "u1", shopId: "s1" };
const AUDIENCE = { buyerId: "u1", shopId: "s1" };
const ADDRESS = {
  name: "Li",
  phone: "13800138000",
  province: "浙江",
  city: "杭州",
  district: "西湖",
  detail: "1号",
};

const step = (extra: Partial<OrderStepPayload> = {}): OrderStepPayload => ({
  ...ORDER,
  status: "SHIPPED",
  at: "2026-11-26T02:00:00.000Z",
  ...extra,
});

const afterSales = (extra: Partial<AfterSalesStepPayload> = {}): AfterSalesStepPayload => ({
  ...ORDER,
  afterSalesNo: "AS2611260001",
  type: "REFUND_ONLY",
  status: "REQUESTED",
  refundMinor: 4990,
  reason: "尺码不合适",
  at: "2026-11-26T02:00:00.000Z",
  ...extra,
});

describe("event -> notification", () => {
  it("maps order.placed to ORDER_PLACED with the payable amount and the deadline", () => {
    const intent = placedNotification("e1", {
      ...ORDER,
      payableMinor: 12345,
      paymentDeadline: "2026-11-26T02:30:00.000Z",
    });
    expect(intent).toEqual({
      node: "ORDER_PLACED",
      eventId: "e1",
      orderNo: ORDER.orderNo,
      audience: AUDIENCE,
      values: { orderNo: ORDER.orderNo, amount: "123.45", deadline: "2026-11-26 10:30" },
    });
  });

  it("maps order.paid to PAYMENT_SUCCEEDED with the amount paid", () => {
    const intent = paidNotification("e2", {
      ...ORDER,
      paymentNo: "P1",
      paidMinor: 9900,
      paidAt: "2026-11-26T02:10:00.000Z",
      address: ADDRESS,
      lines: [],
    });
    expect(intent).toMatchObject({
      node: "PAYMENT_SUCCEEDED",
      values: { orderNo: ORDER.orderNo, amount: "99.00" },
    });
    expect(intent.audience).toEqual(AUDIENCE);
  });

  it("maps order.shipped to SHIPPED with the carrier's name and tracking number", () => {
    const intent = shippedNotification("e3", step({ carrier: "ZTO", trackingNo: "75123456789012" }));
    expect(intent).toMatchObject({
      node: "SHIPPED",
      eventId: "e3",
      values: { orderNo: ORDER.orderNo, carrier: "中通快递", trackingNo: "75123456789012" },
    });
  });

  it("maps a shipment without logistics to SHIPPED without carrier values", () => {
    const intent = shippedNotification(
      "e4",
      step({ status: "PARTIALLY_SHIPPED", carrier: null, trackingNo: null }),
    );
    expect(intent.values).toEqual({ orderNo: ORDER.orderNo, carrier: undefined, trackingNo: undefined });
  });

  it("maps order.ship-overdue to SHIP_OVERDUE with the missed ship-by deadline", () => {
    const intent = shipOverdueNotification(
      "e10",
      step({ status: "PAID", shipBy: "2026-11-28T02:10:00.000Z", at: "2026-11-28T02:10:05.000Z" }),
    );
    expect(intent).toEqual({
      node: "SHIP_OVERDUE",
      eventId: "e10",
      orderNo: ORDER.orderNo,
      audience: AUDIENCE,
      values: { orderNo: ORDER.orderNo, deadline: "2026-11-28 10:10" },
    });
  });

  it("maps order.ship-overdue without a deadline to no deadline value", () => {
    expect(shipOverdueNotification("e11", step({ status: "PAID" })).values).toEqual({
      orderNo: ORDER.orderNo,
      deadline: undefined,
    });
  });

  it("plans SHIP_OVERDUE for the shop and the operators, not the buyer", () => {
    const rule: Rule = {
      node: "SHIP_OVERDUE",
      recipients: ["MERCHANT", "OPERATOR"],
      channels: ["IN_APP", "APP_PUSH"],
      template: "订单 {orderNo} 应于 {deadline} 前发货",
      enabled: true,
    };
    const intent = shipOverdueNotification("e12", step({ shipBy: "2026-11-28T02:10:00.000Z" }));
    const drafts = planDeliveries(intent, rule);
    expect(drafts.map((d) => `${d.recipient}/${d.channel}`)).toEqual([
      "shop:s1/IN_APP",
      "shop:s1/APP_PUSH",
      "operators/IN_APP",
      "operators/APP_PUSH",
    ]);
    expect(drafts[0]).toMatchObject({
      title: "订单超时未发货",
      text: `订单 ${ORDER.orderNo} 应于 2026-11-28 10:10 前发货`,
    });
  });

  it("maps order.completed to COMPLETED", () => {
    expect(completedNotification("e5", step({ status: "COMPLETED" }))).toMatchObject({
      node: "COMPLETED",
      audience: AUDIENCE,
      values: { orderNo: ORDER.orderNo },
    });
  });

  it("maps a SIGNED tracking change to SIGNED for the order's known buyer and shop, and nothing else", () => {
    const change = {
      packageId: "PKG1",
      orderNo: ORDER.orderNo,
      carrier: "SF" as const,
      trackingNo: "SF1234567890123",
      at: "2026-11-27T02:00:00.000Z",
    };
    expect(signedNotification("e6", { ...change, status: "SIGNED" }, AUDIENCE)).toMatchObject({
      node: "SIGNED",
      audience: AUDIENCE,
      values: { orderNo: ORDER.orderNo, carrier: "顺丰速运", trackingNo: "SF1234567890123" },
    });
    for (const status of ["PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "EXCEPTION", "RETURNED"] as const) {
      expect(signedNotification("e6", { ...change, status }, AUDIENCE)).toBeNull();
    }
  });

  it.each(Object.entries(AFTER_SALES_NODES))(
    "maps %s to %s with the request, amount and reason",
    (channel, node) => {
      const intent = afterSalesNotification(channel as keyof typeof AFTER_SALES_NODES, "e7", afterSales());
      expect(intent).toEqual({
        node,
        eventId: "e7",
        orderNo: ORDER.orderNo,
        audience: AUDIENCE,
        values: {
          orderNo: ORDER.orderNo,
          afterSalesNo: "AS2611260001",
          amount: "49.90",
          reason: "尺码不合适",
        },
      });
    },
  );

  it("maps an after-sales step without a reason to no reason value", () => {
    expect(
      afterSalesNotification("aftersales.approved", "e8", afterSales({ reason: null })).values.reason,
    ).toBeUndefined();
  });
});

describe("recipients", () => {
  it("keys a buyer by user id, a merchant by shop, operators by one shared inbox", () => {
    expect(recipientKey("BUYER", AUDIENCE)).toBe("u1");
    expect(recipientKey("MERCHANT", AUDIENCE)).toBe("shop:s1");
    expect(recipientKey("OPERATOR", AUDIENCE)).toBe("operators");
  });

  it("reads a caller's own inbox from the token's role", () => {
    expect(inboxOf({ userId: "u1", role: "buyer" })).toBe("u1");
    expect(inboxOf({ userId: "m1", role: "merchant", shopId: "s1" })).toBe("shop:s1");
    expect(inboxOf({ userId: "a1", role: "admin" })).toBe("operators");
    expect(() => inboxOf({ userId: "m1", role: "merchant" })).toThrow(
      expect.objectContaining({ type: "FORBIDDEN" }),
    );
  });
});

describe("planDeliveries", () => {
  const rule: Rule = {
    node: "SHIPPED",
    recipients: ["BUYER", "MERCHANT", "OPERATOR"],
    channels: ["IN_APP", "SMS"],
    template: "{orderNo} via {carrier} {trackingNo}",
    enabled: true,
  };
  const intent = shippedNotification("e9", step({ carrier: "SF", trackingNo: "SF1" }));

  it("makes one delivery per (recipient, channel) with the rendered text", () => {
    const drafts = planDeliveries(intent, rule);
    expect(drafts.map((d) => `${d.recipient}/${d.channel}`)).toEqual([
      "u1/IN_APP",
      "u1/SMS",
      "shop:s1/IN_APP",
      "shop:s1/SMS",
      "operators/IN_APP",
      "operators/SMS",
    ]);
    for (const d of drafts) {
      expect(d).toMatchObject({
        eventId: "e9",
        node: "SHIPPED",
        title: "订单已发货",
        text: `${ORDER.orderNo} via 顺丰速运 SF1`,
        orderNo: ORDER.orderNo,
      });
    }
  });

  it("makes none for a disabled rule or another node's rule", () => {
    expect(planDeliveries(intent, { ...rule, enabled: false })).toEqual([]);
    expect(planDeliveries(intent, { ...rule, node: "SIGNED" })).toEqual([]);
  });
});
