import {
  type OrdersOfPayment,
  type OrdersRefund,
  ordersWithoutPayment,
  purposeOf,
  reconcilePayments,
  reconcileRefunds,
  refundsWithoutPayment,
} from "../../../services/order/domain/reconciliation";
import type { LedgerPayment, LedgerRefund } from "../../../shared/contracts/payment.contract";

const from = new Date("2026-11-25T00:00:00+08:00");
const to = new Date("2026-11-26T00:00:00+08:00");
const during = "2026-11-25T12:00:00.000Z";
const dayBefore = "2026-11-24T12:00:00.000Z";

const payment = (no: string, paidMinor: number, extra: Partial<LedgerPayment> = {}): LedgerPayment => ({
  paymentNo: no,
  parentOrderNo: `P${no}`,
  status: "SUCCEEDED",
  paidMinor,
  refundedMinor: 0,
  duplicate: false,
  paidAt: during,
  ...extra,
});
const said = (no: string, paidMinor: number, notKept = 0, orderNos = [`O${no}`]): OrdersOfPayment => ({
  paymentNo: no,
  orderNos,
  paidMinor,
  notKeptRefundedMinor: notKept,
});
const refund = (no: string, amountMinor: number, extra: Partial<LedgerRefund> = {}): LedgerRefund => ({
  refundNo: no,
  paymentNo: "1",
  parentOrderNo: "P1",
  orderNo: "O1",
  cause: "REQUESTED",
  status: "SUCCEEDED",
  amountMinor,
  reason: "AFTER_SALES:A1",
  completedAt: during,
  paymentPaidMinor: 100_000,
  refundsPaidMinor: extra.status && extra.status !== "SUCCEEDED" ? null : amountMinor,
  ...extra,
});
const recorded = (no: string, amountMinor: number): OrdersRefund => ({
  refundNo: no,
  paymentNo: "1",
  parentOrderNo: "P1",
  orderNo: "O1",
  amountMinor,
});
const byNo = <T, K extends keyof T>(items: T[], key: K) => new Map(items.map((i) => [i[key] as string, i]));

describe("reconciling a day's payments with the orders", () => {
  it("accepts a payment its children account for, or its children plus what was refunded as not kept", () => {
    const payments = [payment("1", 10_000), payment("2", 5_000), payment("3", 7_000)];
    const orders = byNo([said("1", 10_000), said("2", 3_000, 2_000), said("3", 0, 7_000, [])], "paymentNo");
    expect(reconcilePayments(payments, orders)).toEqual([]);
  });

  it("lists money no order accounts for, and money the orders account for differently", () => {
    const payments = [payment("1", 10_000), payment("2", 5_000)];
    const orders = byNo([said("2", 4_999)], "paymentNo");
    expect(reconcilePayments(payments, orders)).toEqual([
      expect.objectContaining({
        kind: "PAYMENT_NOT_ON_ORDERS",
        paymentNo: "1",
        paymentMinor: 10_000,
        ordersMinor: 0,
      }),
      expect.objectContaining({
        kind: "PAYMENT_AMOUNT_MISMATCH",
        paymentNo: "2",
        orderNos: ["O2"],
        paymentMinor: 5_000,
        ordersMinor: 4_999,
      }),
    ]);
  });

  it("lists a duplicate payment not given back in full, and nothing for one that was", () => {
    const payments = [
      payment("1", 10_000, { duplicate: true, refundedMinor: 10_000 }),
      payment("2", 5_000, { duplicate: true, refundedMinor: 0 }),
    ];
    expect(reconcilePayments(payments, new Map())).toEqual([
      expect.objectContaining({
        kind: "DUPLICATE_NOT_REFUNDED",
        paymentNo: "2",
        paymentMinor: 5_000,
        ordersMinor: 0,
      }),
    ]);
  });

  it("lists orders paid by a payment the payment service did not receive that day", () => {
    const orders = [said("1", 100), said("2", 200), said("3", 300), said("4", 400)];
    const ledger = byNo(
      [
        payment("1", 100),
        payment("2", 200, { status: "CLOSED", paidAt: null }),
        payment("3", 300, { paidAt: dayBefore }),
      ],
      "paymentNo",
    );
    expect(
      ordersWithoutPayment(orders, ledger, from, to).map((m) => [m.kind, m.paymentNo, m.paymentMinor]),
    ).toEqual([
      ["ORDER_PAID_WITHOUT_PAYMENT", "2", 0],
      ["ORDER_PAID_WITHOUT_PAYMENT", "3", 300],
      ["ORDER_PAID_WITHOUT_PAYMENT", "4", 0],
    ]);
  });
});

describe("reconciling a day's refunds with the orders", () => {
  it("accepts refunds the orders record at the same amount, and leaves duplicate-payment refunds to the payment service", () => {
    const refunds = [refund("R1", 500), refund("R2", 900, { cause: "DUPLICATE_PAYMENT", orderNo: null })];
    expect(reconcileRefunds(refunds, byNo([recorded("R1", 500)], "refundNo"))).toEqual([]);
  });

  it("lists refunds the orders miss or record differently, and refunds the provider refused", () => {
    const refunds = [refund("R1", 500), refund("R2", 600), refund("R3", 700, { status: "FAILED" })];
    const found = reconcileRefunds(refunds, byNo([recorded("R2", 650)], "refundNo"));
    expect(found.map((m) => [m.kind, m.refundNo, m.paymentMinor, m.ordersMinor])).toEqual([
      ["REFUND_NOT_ON_ORDERS", "R1", 500, 0],
      ["REFUND_AMOUNT_MISMATCH", "R2", 600, 650],
      ["REFUND_FAILED", "R3", 0, 700],
    ]);
  });

  it("lets a refused refund go once the orders record a refund paid for the same purpose", () => {
    const refused = [
      refund("R1", 500, { status: "FAILED" }),
      refund("R2", 500, { status: "FAILED", reason: "AFTER_SALES:A2" }),
    ];
    const paid = new Set([purposeOf({ paymentNo: "1", orderNo: "O1", reason: "AFTER_SALES:A1" })]);
    expect(reconcileRefunds(refused, new Map(), paid).map((m) => [m.kind, m.refundNo])).toEqual([
      ["REFUND_FAILED", "R2"],
    ]);
  });

  it("lists every refund paid beyond what its payment received, a duplicate's too", () => {
    const refunds = [
      refund("R1", 600, { paymentPaidMinor: 1_000, refundsPaidMinor: 600 }),
      refund("R2", 600, { paymentPaidMinor: 1_000, refundsPaidMinor: 1_200 }),
      refund("R3", 900, {
        paymentNo: "2",
        cause: "DUPLICATE_PAYMENT",
        orderNo: null,
        paymentPaidMinor: 900,
        refundsPaidMinor: 1_800,
      }),
    ];
    const orders = byNo([recorded("R1", 600), recorded("R2", 600)], "refundNo");
    expect(
      reconcileRefunds(refunds, orders).map((m) => [m.kind, m.refundNo, m.paymentMinor, m.ordersMinor]),
    ).toEqual([
      ["OVER_REFUNDED", "R2", 1_200, 1_000],
      ["OVER_REFUNDED", "R3", 1_800, 900],
    ]);
  });

  it("lists refunds the orders recorded that the payment service did not complete that day", () => {
    const orders = [recorded("R1", 100), recorded("R2", 200), recorded("R3", 300)];
    const ledger = byNo([refund("R1", 100), refund("R2", 200, { completedAt: dayBefore })], "refundNo");
    expect(refundsWithoutPayment(orders, ledger, from, to).map((m) => [m.kind, m.refundNo])).toEqual([
      ["ORDER_REFUND_WITHOUT_PAYMENT_REFUND", "R2"],
      ["ORDER_REFUND_WITHOUT_PAYMENT_REFUND", "R3"],
    ]);
  });
});
