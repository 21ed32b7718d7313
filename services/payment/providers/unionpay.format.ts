import type { ProviderNotice } from "../domain/notice";
import { BodyReader, digitsOf, fromShanghai, shanghaiStamp } from "./format-kit";
import type { ProviderFormat } from "./provider";

const PAY = "01";
const REFUND = "04";
const OK = "00";
const fen = (value: unknown) =>
  typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : undefined;

/**
 * UnionPay (ACP 5.1 style): 21-digit numbers `<yyyyMMddHHmmss><7>` (tn / queryId), a front
 * gateway URL, notifications `{txnType, orderId, queryId, txnAmt: "12345", respCode}`. UnionPay sends
 * no notification id: it is `<txnType>-<queryId>-<respCode>`, one per fact about one transaction.
 */
export const UNIONPAY_FORMAT: ProviderFormat = {
  method: "UNIONPAY",
  providerPaymentNo: (now, random) => `${shanghaiStamp(now)}${digitsOf(random, 7)}`,
  providerRefundNo: (now, random) => `${shanghaiStamp(now)}${digitsOf(random, 7)}`,
  payUrl: (providerPaymentNo) =>
    `https://gateway.test.95516.com/gateway/api/frontTransReq.do?tn=${providerPaymentNo}`,
  notificationId: (n) =>
    n.kind === "PAYMENT"
      ? `${PAY}-${n.providerPaymentNo}-${n.result === "SUCCESS" ? OK : "03"}`
      : `${REFUND}-${n.providerRefundNo}-${n.result === "SUCCESS" ? OK : "03"}`,
  encode(n: ProviderNotice): string {
    const ok = n.result === "SUCCESS";
    const tail = {
      txnAmt: String(n.amountMinor),
      currencyCode: "156",
      respCode: ok ? OK : "03",
      respMsg: ok ? "Success!" : (n.reason ?? "Transaction failed"),
      txnTime: shanghaiStamp(n.occurredAt),
    };
    if (n.kind === "PAYMENT") {
      return JSON.stringify({
        version: "5.1.0",
        txnType: PAY,
        orderId: n.paymentNo,
        queryId: n.providerPaymentNo,
        ...tail,
      });
    }
    return JSON.stringify({
      version: "5.1.0",
      txnType: REFUND,
      orderId: n.refundNo,
      origOrderId: n.paymentNo,
      queryId: n.providerRefundNo,
      origQryId: n.providerPaymentNo,
      ...tail,
    });
  },
  decode(rawBody: string): ProviderNotice {
    const body = BodyReader.parse("UNIONPAY", rawBody);
    const txnType = body.text("txnType");
    const respCode = body.text("respCode");
    const queryId = body.text("queryId");
    const result = respCode === OK ? ("SUCCESS" as const) : ("FAIL" as const);
    const common = {
      notificationId: `${txnType}-${queryId}-${respCode}`,
      result,
      amountMinor: body.as("txnAmt", fen),
      occurredAt: body.as("txnTime", fromShanghai),
      ...(result === "FAIL" ? { reason: body.text("respMsg") } : {}),
    };
    if (txnType === PAY) {
      return { kind: "PAYMENT", ...common, paymentNo: body.text("orderId"), providerPaymentNo: queryId };
    }
    if (txnType === REFUND) {
      return {
        kind: "REFUND",
        ...common,
        refundNo: body.text("orderId"),
        providerRefundNo: queryId,
        paymentNo: body.text("origOrderId"),
        providerPaymentNo: body.text("origQryId"),
      };
    }
    throw body.bad("txnType");
  },
};
