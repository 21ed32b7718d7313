import type { ProviderNotice } from "../domain/notice";
import { BodyReader, digestOf, digitsOf, shanghaiStamp } from "./format-kit";
import type { ProviderFormat } from "./provider";

const isoTime = (value: unknown) =>
  typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;

/**
 * WeChat Pay (v3 style): 28-digit transaction ids `4200<yyyyMMdd><16>`, refund ids `5030...`, a
 * `weixin://` Native-pay URL, notifications `{id, event_type, resource: {...}}` with amounts in fen.
 */
export const WECHAT_FORMAT: ProviderFormat = {
  method: "WECHAT",
  providerPaymentNo: (now, random) => `4200${shanghaiStamp(now).slice(0, 8)}${digitsOf(random, 16)}`,
  providerRefundNo: (now, random) => `5030${shanghaiStamp(now).slice(0, 8)}${digitsOf(random, 16)}`,
  payUrl: (providerPaymentNo) =>
    `weixin://wxpay/bizpayurl?pr=${digestOf("wechat-pr", providerPaymentNo).toString("base64url").slice(0, 10)}`,
  notificationId: (n) => {
    const subject = n.kind === "PAYMENT" ? n.providerPaymentNo : n.providerRefundNo;
    return `EV-${digitsOf(digestOf("WECHAT", n.kind, subject, n.result), 20)}`;
  },
  encode(n: ProviderNotice): string {
    const ok = n.result === "SUCCESS";
    if (n.kind === "PAYMENT") {
      return JSON.stringify({
        id: n.notificationId,
        create_time: n.occurredAt,
        event_type: ok ? "TRANSACTION.SUCCESS" : "TRANSACTION.FAIL",
        resource: {
          out_trade_no: n.paymentNo,
          transaction_id: n.providerPaymentNo,
          trade_state: ok ? "SUCCESS" : "PAYERROR",
          ...(n.reason ? { trade_state_desc: n.reason } : {}),
          amount: { total: n.amountMinor, currency: "CNY" },
          success_time: n.occurredAt,
        },
      });
    }
    return JSON.stringify({
      id: n.notificationId,
      create_time: n.occurredAt,
      event_type: ok ? "REFUND.SUCCESS" : "REFUND.ABNORMAL",
      resource: {
        out_trade_no: n.paymentNo,
        transaction_id: n.providerPaymentNo,
        out_refund_no: n.refundNo,
        refund_id: n.providerRefundNo,
        refund_status: ok ? "SUCCESS" : "ABNORMAL",
        amount: { refund: n.amountMinor, currency: "CNY" },
        success_time: n.occurredAt,
      },
    });
  },
  decode(rawBody: string): ProviderNotice {
    const body = BodyReader.parse("WECHAT", rawBody);
    const eventType = body.text("event_type");
    const common = {
      notificationId: body.text("id"),
      paymentNo: body.text("resource.out_trade_no"),
      providerPaymentNo: body.text("resource.transaction_id"),
      occurredAt: body.as("create_time", isoTime),
    };
    if (eventType.startsWith("TRANSACTION.")) {
      const reason = body.get("resource.trade_state_desc");
      return {
        kind: "PAYMENT",
        ...common,
        result: body.result("resource.trade_state", ["SUCCESS"], ["PAYERROR", "CLOSED", "REVOKED"]),
        amountMinor: body.minor("resource.amount.total"),
        ...(typeof reason === "string" ? { reason } : {}),
      };
    }
    if (eventType.startsWith("REFUND.")) {
      return {
        kind: "REFUND",
        ...common,
        refundNo: body.text("resource.out_refund_no"),
        providerRefundNo: body.text("resource.refund_id"),
        result: body.result("resource.refund_status", ["SUCCESS"], ["ABNORMAL", "CLOSED"]),
        amountMinor: body.minor("resource.amount.refund"),
      };
    }
    throw body.bad("event_type");
  },
};
