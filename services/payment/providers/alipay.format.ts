import type { ProviderNotice } from "../domain/notice";
import { minorToYuan, yuanToMinor } from "../domain/yuan";
import { BodyReader, digestOf, digitsOf, fromShanghai, shanghaiStamp, shanghaiTime } from "./format-kit";
import type { ProviderFormat } from "./provider";

/**
 * Alipay: 28-digit trade numbers `<yyyyMMdd>22001<15>`, a cashier page URL, notifications
 * `{notify_id, notify_type, trade_status, total_amount: "123.45"}` with amounts in yuan text and
 * Shanghai wall-clock times - converted to fen and instants here, never through floats.
 */
export const ALIPAY_FORMAT: ProviderFormat = {
  method: "ALIPAY",
  providerPaymentNo: (now, random) => `${shanghaiStamp(now).slice(0, 8)}22001${digitsOf(random, 15)}`,
  providerRefundNo: (now, random) => `${shanghaiStamp(now).slice(0, 8)}23001${digitsOf(random, 15)}`,
  payUrl: (providerPaymentNo, amountMinor) =>
    `https://openapi-sandbox.dl.alipaydev.com/gateway.do?trade_no=${providerPaymentNo}&total_amount=${minorToYuan(amountMinor)}`,
  notificationId: (n) => {
    const subject = n.kind === "PAYMENT" ? n.providerPaymentNo : n.providerRefundNo;
    return digestOf("ALIPAY", n.kind, subject, n.result).toString("hex").slice(0, 32);
  },
  encode(n: ProviderNotice): string {
    const ok = n.result === "SUCCESS";
    const head = {
      notify_id: n.notificationId,
      notify_time: shanghaiTime(n.occurredAt),
      out_trade_no: n.paymentNo,
      trade_no: n.providerPaymentNo,
    };
    if (n.kind === "PAYMENT") {
      return JSON.stringify({
        ...head,
        notify_type: "trade_status_sync",
        trade_status: ok ? "TRADE_SUCCESS" : "TRADE_CLOSED",
        total_amount: minorToYuan(n.amountMinor),
        ...(ok ? { gmt_payment: shanghaiTime(n.occurredAt) } : { fail_reason: n.reason ?? "PAY_FAILED" }),
      });
    }
    return JSON.stringify({
      ...head,
      notify_type: "refund_status_sync",
      out_request_no: n.refundNo,
      refund_trade_no: n.providerRefundNo,
      refund_status: ok ? "REFUND_SUCCESS" : "REFUND_FAIL",
      refund_amount: minorToYuan(n.amountMinor),
    });
  },
  decode(rawBody: string): ProviderNotice {
    const body = BodyReader.parse("ALIPAY", rawBody);
    const notifyType = body.text("notify_type");
    const common = {
      notificationId: body.text("notify_id"),
      paymentNo: body.text("out_trade_no"),
      providerPaymentNo: body.text("trade_no"),
      occurredAt: body.as("notify_time", fromShanghai),
    };
    if (notifyType === "trade_status_sync") {
      const reason = body.get("fail_reason");
      return {
        kind: "PAYMENT",
        ...common,
        result: body.result("trade_status", ["TRADE_SUCCESS", "TRADE_FINISHED"], ["TRADE_CLOSED"]),
        amountMinor: body.as("total_amount", yuanToMinor),
        ...(typeof reason === "string" ? { reason } : {}),
      };
    }
    if (notifyType === "refund_status_sync") {
      return {
        kind: "REFUND",
        ...common,
        refundNo: body.text("out_request_no"),
        providerRefundNo: body.text("refund_trade_no"),
        result: body.result("refund_status", ["REFUND_SUCCESS"], ["REFUND_FAIL"]),
        amountMinor: body.as("refund_amount", yuanToMinor),
      };
    }
    throw body.bad("notify_type");
  },
};
