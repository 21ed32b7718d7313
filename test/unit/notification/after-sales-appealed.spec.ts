import { planDeliveries } from "../../../services/notification/domain/delivery-plan";
import { afterSalesNotification } from "../../../services/notification/domain/event-notifications";
import { NODES } from "../../../services/notification/domain/nodes";
import { unofferedPlaceholder } from "../../../services/notification/domain/placeholders";
import type { AfterSalesStepPayload } from "../../../shared/contracts/order.contract";
import { seededRule } from "../../support/seeded-rules";

const ORDER = { orderNo: "2611260000000001", parentOrderNo: "2611260000000000", buyerId: "u1", shopId: "s1" };

/** `aftersales.appealed` as the order service publishes it: the request back in review, the appeal's reason. */
const appealed = (extra: Partial<AfterSalesStepPayload> = {}): AfterSalesStepPayload => ({
  ...ORDER,
  afterSalesNo: "AS2611260001",
  type: "REFUND_ONLY",
  status: "PENDING_REVIEW",
  refundMinor: 4990,
  reason: "商品有质量问题，商家拒绝不合理",
  at: "2026-11-26T02:00:00.000Z",
  ...extra,
});

const appealedRule = () => seededRule("003_after_sales_appealed.sql", "AFTER_SALES_APPEALED");

describe("AFTER_SALES_APPEALED", () => {
  it("maps aftersales.appealed to AFTER_SALES_APPEALED with the request, the order and the appeal's reason", () => {
    expect(afterSalesNotification("aftersales.appealed", "e1", appealed())).toEqual({
      node: "AFTER_SALES_APPEALED",
      eventId: "e1",
      orderNo: ORDER.orderNo,
      audience: { buyerId: "u1", shopId: "s1" },
      values: {
        orderNo: ORDER.orderNo,
        afterSalesNo: "AS2611260001",
        amount: "49.90",
        reason: "商品有质量问题，商家拒绝不合理",
      },
    });
  });

  it("offers the order number, the request number and the reason, not the amount", () => {
    expect(NODES.AFTER_SALES_APPEALED).toEqual({
      title: "售后申诉待平台审核",
      placeholders: ["orderNo", "afterSalesNo", "reason"],
    });
    expect(unofferedPlaceholder("AFTER_SALES_APPEALED", "{orderNo} {afterSalesNo} {reason}")).toBeNull();
    expect(unofferedPlaceholder("AFTER_SALES_APPEALED", "{orderNo} ¥{amount}")).toBe("amount");
  });

  it("seeds a valid default rule for the shop and the operators on IN_APP and APP_PUSH", () => {
    expect(appealedRule()).toEqual({
      node: "AFTER_SALES_APPEALED",
      recipients: ["MERCHANT", "OPERATOR"],
      channels: ["IN_APP", "APP_PUSH"],
      template: expect.stringContaining("{afterSalesNo}"),
      enabled: true,
    });
  });

  it("plans the default rule for the shop's inbox and the operators' once per channel, never the buyer", () => {
    const rule = appealedRule();
    const drafts = planDeliveries(afterSalesNotification("aftersales.appealed", "e2", appealed()), rule);
    expect(drafts.map((d) => `${d.recipient}/${d.channel}`)).toEqual([
      "shop:s1/IN_APP",
      "shop:s1/APP_PUSH",
      "operators/IN_APP",
      "operators/APP_PUSH",
    ]);
    for (const d of drafts) {
      expect(d).toMatchObject({
        eventId: "e2",
        node: "AFTER_SALES_APPEALED",
        title: "售后申诉待平台审核",
        orderNo: ORDER.orderNo,
        text: `售后申请 AS2611260001（订单 ${ORDER.orderNo}）被拒绝后，买家已申请平台介入，申诉理由：商品有质量问题，商家拒绝不合理。现由平台审核处理。`,
      });
    }
  });

  it("renders an appeal without a reason as '-'", () => {
    const rule = appealedRule();
    const [draft] = planDeliveries(
      afterSalesNotification("aftersales.appealed", "e3", appealed({ reason: null })),
      rule,
    );
    expect(draft?.text).toContain("申诉理由：-。");
  });
});

describe("AFTER_SALES_APPEAL_REJECTED", () => {
  const rule = () => seededRule("004_after_sales_appeal_rejected.sql", "AFTER_SALES_APPEAL_REJECTED");

  it("is the node of a rejection that closes the request (the platform's final answer); a shop's rejection stays AFTER_SALES_REJECTED", () => {
    const final = appealed({ status: "CLOSED", reason: "凭证不足" });
    expect(afterSalesNotification("aftersales.rejected", "e4", final).node).toBe(
      "AFTER_SALES_APPEAL_REJECTED",
    );
    const shops = appealed({ status: "REJECTED", reason: "已超出售后范围" });
    expect(afterSalesNotification("aftersales.rejected", "e5", shops).node).toBe("AFTER_SALES_REJECTED");
  });

  it("tells the buyer and the shop the request is closed, with the platform's reason and no further appeal", () => {
    const final = appealed({ status: "CLOSED", reason: "凭证不足" });
    const drafts = planDeliveries(afterSalesNotification("aftersales.rejected", "e6", final), rule());
    expect(drafts.map((d) => `${d.recipient}/${d.channel}`)).toEqual([
      "u1/IN_APP",
      "u1/APP_PUSH",
      "shop:s1/IN_APP",
      "shop:s1/APP_PUSH",
    ]);
    expect(drafts[0]?.text).toBe(
      `售后申请 AS2611260001（订单 ${ORDER.orderNo}）经平台审核维持拒绝，原因：凭证不足。售后单已关闭。`,
    );
    expect(drafts[0]?.text).not.toContain("申请平台介入");
  });
});
