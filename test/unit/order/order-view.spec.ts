import { STANDARD_ORDER_STATES } from "../../../services/order/domain/order-states";
import {
  allowedActions,
  BUYER_TABS,
  MERCHANT_TABS,
  tabCombinations,
  viewStatus,
} from "../../../services/order/domain/order-view";

const facts = (
  status: (typeof STANDARD_ORDER_STATES)[number],
  extra: { reviewed?: boolean; afterSales?: boolean } = {},
) => ({
  status,
  reviewed: extra.reviewed ?? false,
  afterSalesStatus: extra.afterSales ? ("IN_PROGRESS" as const) : ("NONE" as const),
});

describe("order role views (DOMAIN.md 6.2)", () => {
  it.each([
    ["PENDING_PAYMENT", {}, "TO_PAY", "待付款", "AWAITING_PAYMENT", "待付款"],
    ["AWAITING_SHIPMENT", {}, "TO_SHIP", "待发货", "TO_SHIP", "待发货"],
    ["PARTIALLY_SHIPPED", {}, "TO_SHIP", "待发货", "TO_SHIP", "待发货"],
    ["SHIPPED", {}, "TO_RECEIVE", "待收货", "SHIPPED", "已发货"],
    ["COMPLETED", {}, "TO_REVIEW", "待评价", "SUCCESS", "交易成功"],
    ["COMPLETED", { reviewed: true }, "DONE", "已完成", "SUCCESS", "交易成功"],
    ["FINISHED", {}, "DONE", "已完成", "SUCCESS", "交易成功"],
    ["SHIPPED", { afterSales: true }, "AFTER_SALES", "退款/售后", "REFUNDING", "退款中"],
    ["CLOSED", {}, "CLOSED", "已关闭", "CLOSED", "交易关闭"],
  ] as const)("%s %p: buyer %s %s, merchant %s %s", (status, extra, bTab, bLabel, mTab, mLabel) => {
    expect(viewStatus(facts(status, extra), "buyer")).toEqual({ tab: bTab, label: bLabel });
    expect(viewStatus(facts(status, extra), "merchant")).toEqual({ tab: mTab, label: mLabel });
    expect(viewStatus(facts(status, extra), "admin")).toEqual({ tab: mTab, label: mLabel });
  });

  it("gives every combination of facts exactly one tab per role, and the tab filters select it", () => {
    for (const role of ["buyer", "merchant"] as const) {
      const tabs = role === "buyer" ? BUYER_TABS : MERCHANT_TABS;
      const covered = tabs.flatMap((tab) => tabCombinations(tab, role));
      expect(covered).toHaveLength(STANDARD_ORDER_STATES.length * 4);
      for (const tab of tabs) {
        for (const c of tabCombinations(tab, role)) {
          const view = viewStatus(
            {
              status: c.status,
              reviewed: c.reviewed,
              afterSalesStatus: c.afterSalesInProgress ? "IN_PROGRESS" : "NONE",
            },
            role,
          );
          expect(view.tab).toBe(tab);
        }
      }
    }
  });

  it("offers each role its own buttons", () => {
    expect(allowedActions(facts("PENDING_PAYMENT"), "buyer")).toEqual(["PAY", "CANCEL", "CHANGE_ADDRESS"]);
    expect(allowedActions(facts("PENDING_PAYMENT"), "merchant")).toEqual([
      "CHANGE_PRICE",
      "CANCEL",
      "ADD_NOTE",
    ]);
    expect(allowedActions(facts("SHIPPED"), "buyer")).toContain("CONFIRM_RECEIPT");
    expect(allowedActions(facts("COMPLETED"), "buyer")).toContain("REVIEW");
    expect(allowedActions(facts("COMPLETED", { reviewed: true }), "buyer")).not.toContain("REVIEW");
    expect(allowedActions(facts("CLOSED"), "buyer")).toEqual([]);
    expect(allowedActions(facts("AWAITING_SHIPMENT", { afterSales: true }), "merchant")).toContain(
      "REVIEW_AFTER_SALES",
    );
  });
});
