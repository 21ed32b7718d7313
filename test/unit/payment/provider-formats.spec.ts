import type { NoticeContent, ProviderNotice } from "../../../services/payment/domain/notice";
import { ALIPAY_FORMAT } from "../../../services/payment/providers/alipay.format";
import type { ProviderFormat } from "../../../services/payment/providers/provider";
import { UNIONPAY_FORMAT } from "../../../services/payment/providers/unionpay.format";
import { WECHAT_FORMAT } from "../../../services/payment/providers/wechat.format";

const NOW = new Date("2026-11-26T01:02:03.000Z"); // 09:02:03 in Shanghai
const RANDOM = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex");

const cases: [ProviderFormat, RegExp, RegExp, RegExp][] = [
  [
    WECHAT_FORMAT,
    /^420020261126\d{16}$/,
    /^503020261126\d{16}$/,
    /^weixin:\/\/wxpay\/bizpayurl\?pr=[\w-]{10}$/,
  ],
  [
    ALIPAY_FORMAT,
    /^2026112622001\d{15}$/,
    /^2026112623001\d{15}$/,
    /^https:\/\/openapi-sandbox\.dl\.alipaydev\.com\/gateway\.do\?trade_no=\d{28}&total_amount=123\.45$/,
  ],
  [
    UNIONPAY_FORMAT,
    /^20261126090203\d{7}$/,
    /^20261126090203\d{7}$/,
    /^https:\/\/gateway\.test\.95516\.com\/gateway\/api\/frontTransReq\.do\?tn=\d{21}$/,
  ],
];

function withId(format: ProviderFormat, content: NoticeContent): ProviderNotice {
  return { ...content, notificationId: format.notificationId(content) } as ProviderNotice;
}

describe.each(cases.map(([format, ...shapes]) => [format.method, format, ...shapes] as const))(
  "%s provider format",
  (_method, format, paymentNo, refundNo, payUrl) => {
    const providerPaymentNo = format.providerPaymentNo(NOW, RANDOM);
    const payment: NoticeContent = {
      kind: "PAYMENT",
      paymentNo: "18261126000112345670",
      providerPaymentNo,
      result: "SUCCESS",
      amountMinor: 12345,
      occurredAt: NOW.toISOString(),
    };
    const refund: NoticeContent = {
      kind: "REFUND",
      refundNo: "19261126000176543210",
      providerRefundNo: format.providerRefundNo(NOW, RANDOM),
      paymentNo: payment.paymentNo,
      providerPaymentNo,
      result: "SUCCESS",
      amountMinor: 3703,
      occurredAt: NOW.toISOString(),
    };

    it("numbers payments and refunds in the provider's own format", () => {
      expect(format.method).toMatch(/^(WECHAT|ALIPAY|UNIONPAY)$/);
      expect(providerPaymentNo).toMatch(paymentNo);
      expect(format.providerRefundNo(NOW, RANDOM)).toMatch(refundNo);
      expect(format.payUrl(providerPaymentNo, 12345)).toMatch(payUrl);
    });

    it("gives one fact one notification id, and another result another id", () => {
      expect(format.notificationId(payment)).toBe(format.notificationId({ ...payment }));
      expect(format.notificationId({ ...payment, result: "FAIL" })).not.toBe(format.notificationId(payment));
      expect(format.notificationId(refund)).not.toBe(format.notificationId(payment));
    });

    it("reads back a success, a failure and a refund exactly as written", () => {
      const failed = { ...payment, result: "FAIL" as const, reason: "PAYER_CANCELLED" };
      for (const notice of [withId(format, payment), withId(format, failed), withId(format, refund)]) {
        expect(format.decode(format.encode(notice))).toEqual(notice);
      }
    });

    it("reads the amount the body states, so a tampered amount is seen as such", () => {
      const body = JSON.parse(format.encode(withId(format, payment)));
      if (format === WECHAT_FORMAT) body.resource.amount.total = 100;
      if (format === ALIPAY_FORMAT) body.total_amount = "1.00";
      if (format === UNIONPAY_FORMAT) body.txnAmt = "100";
      expect(format.decode(JSON.stringify(body)).amountMinor).toBe(100);
    });

    it("refuses a body that is not its format, naming the field", () => {
      expect(() => format.decode("not json")).toThrow(expect.objectContaining({ type: "BAD_REQUEST" }));
      expect(() => format.decode("[]")).toThrow(expect.objectContaining({ type: "BAD_REQUEST" }));
      const other = format === WECHAT_FORMAT ? ALIPAY_FORMAT : WECHAT_FORMAT;
      const foreign = other.encode(withId(other, payment));
      expect(() => format.decode(foreign)).toThrow(
        expect.objectContaining({
          type: "BAD_REQUEST",
          data: expect.objectContaining({ field: expect.any(String) }),
        }),
      );
    });
  },
);

describe("Alipay amounts", () => {
  it("are yuan text on the wire and fen inside", () => {
    const notice = withId(ALIPAY_FORMAT, {
      kind: "PAYMENT",
      paymentNo: "1",
      providerPaymentNo: "2",
      result: "SUCCESS",
      amountMinor: 29,
      occurredAt: NOW.toISOString(),
    });
    const body = JSON.parse(ALIPAY_FORMAT.encode(notice));
    expect(body.total_amount).toBe("0.29");
    expect(body.notify_time).toBe("2026-11-26 09:02:03");
    expect(() => ALIPAY_FORMAT.decode(JSON.stringify({ ...body, total_amount: 0.29 }))).toThrow(
      expect.objectContaining({ type: "BAD_REQUEST", data: { field: "total_amount" } }),
    );
  });
});
