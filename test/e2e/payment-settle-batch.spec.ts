import { randomUUID } from "node:crypto";
import type { OrderService } from "../../services/order/order.service";
import { onPaymentSucceeded } from "../../services/order/order-payments";
import type { PaymentSucceededPayload } from "../../shared/contracts/payment.contract";
import type { EventEnvelope } from "../../shared/outbox/outbox";
import { expectOk } from "../support/catalog";
import { request } from "../support/http";
import { placeCheckout, startPayment } from "../support/payment-flow";
import { useSystem } from "../support/system";

/** Settlements that arrive together are written together: each must come out as if it were alone. */
describe("settling payments in one batch", () => {
  const suite = useSystem();
  let svc: OrderService;

  beforeAll(() => {
    svc = suite.service<OrderService>("order");
  });

  const succeeded = (payload: PaymentSucceededPayload): EventEnvelope<PaymentSucceededPayload> => ({
    eventId: randomUUID(),
    name: "payment.succeeded",
    occurredAt: new Date().toISOString(),
    payload,
  });

  async function pendingPayment() {
    const { token, checkout, buyerId } = await placeCheckout(suite.catalog);
    const payment = await startPayment(suite.url, token, checkout.parentOrderNo);
    const payload: PaymentSucceededPayload = {
      paymentNo: payment.paymentNo,
      parentOrderNo: checkout.parentOrderNo,
      buyerId,
      method: "WECHAT",
      providerPaymentNo: payment.providerPaymentNo,
      amountMinor: payment.amountMinor,
      paidAt: new Date().toISOString(),
    };
    return { token, checkout, payload };
  }

  async function paySucceededEntries(token: string, orderNo: string): Promise<number> {
    const res = expectOk(
      await request(suite.url, "GET", `/api/v1/orders/${orderNo}/timeline`, { token }),
      "timeline",
    );
    return res.items.filter((e: { event: string }) => e.event === "pay.succeeded").length;
  }

  it("pays every checkout of a batch once, a duplicate in the batch included, and fails only a bad event", async () => {
    const payments = await Promise.all(Array.from({ length: 6 }, () => pendingPayment()));
    const events = payments.map((p) => succeeded(p.payload));
    const first = events[0] as EventEnvelope<PaymentSucceededPayload>;
    // No such checkout: its money cannot be refunded to a payment nobody made, so this event fails.
    const unknown = succeeded({ ...first.payload, parentOrderNo: "P-NO-SUCH", paymentNo: "PAY-NO-SUCH" });

    const outcomes = await Promise.allSettled(
      [...events, first, unknown].map((e) => onPaymentSucceeded(svc, e)),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      ...events.map(() => "fulfilled"),
      "fulfilled",
      "rejected",
    ]);

    for (const { token, checkout } of payments) {
      const parent = expectOk(
        await request(suite.url, "GET", `/api/v1/parent-orders/${checkout.parentOrderNo}`, {
          token,
        }),
        "parent",
      );
      for (const order of parent.orders) {
        expect(order.status).toBe("AWAITING_SHIPMENT");
        expect(await paySucceededEntries(token, order.orderNo)).toBe(1);
      }
    }
    // Redelivered, the whole batch changes nothing.
    await Promise.all(events.map((e) => onPaymentSucceeded(svc, e)));
    const { token, checkout } = payments[0] as (typeof payments)[number];
    expect(await paySucceededEntries(token, checkout.orders[0].orderNo)).toBe(1);
  });
});
