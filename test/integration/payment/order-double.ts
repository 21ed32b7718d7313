import type { Context } from "moleculer";
import { withChannels } from "../../../shared/channels";
import { config } from "../../../shared/config/config";
import type { Caller } from "../../../shared/contracts/caller";
import { PAYMENT_CHANNELS, type PreparePaymentResult } from "../../../shared/contracts/payment.contract";
import { OmsError } from "../../../shared/errors";
import { OrderNumberCodec, orderDay } from "../../../shared/order-number/order-number";
import type { EventEnvelope } from "../../../shared/outbox/outbox";

interface Checkout {
  buyerId: string;
  payableMinor: number;
  state: "PENDING_PAYMENT" | "PAID" | "CLOSED";
  /** Leave the state alone on payment.succeeded (to test the payment service's own guard). */
  frozen?: boolean;
}

const codec = new OrderNumberCodec(config.orderNoSecret);
let sequence = Math.floor(Math.random() * 9_000_000);

/**
 * What the stand-in order service knows and saw: checkouts with fixed answers for
 * `order.preparePayment`, and every payment event delivered to it over the durable channels.
 */
export class CheckoutBook {
  readonly checkouts = new Map<string, Checkout>();
  readonly received: EventEnvelope[] = [];

  /** A new checkout with a valid parent order number for `buyerId`. */
  open(buyerId: string, payableMinor: number, frozen = false): string {
    sequence = (sequence + 1) % 10_000_000;
    const parentOrderNo = codec.encode({
      channel: "APP",
      type: "PARENT",
      date: orderDay(new Date()),
      userId: buyerId,
      sequence,
    });
    this.checkouts.set(parentOrderNo, { buyerId, payableMinor, state: "PENDING_PAYMENT", frozen });
    return parentOrderNo;
  }

  /** Deliveries of `channel` whose payload names `field` = `value`. */
  events(channel: string, field: string, value: string): EventEnvelope[] {
    return this.received.filter(
      (e) => e.name === channel && (e.payload as Record<string, unknown>)[field] === value,
    );
  }
}

/**
 * A test-only Moleculer peer named "order": answers `preparePayment` like the contract says
 * (ownership, still payable, payable amount) and consumes the payment service's durable events.
 */
export function orderDouble(book: CheckoutBook) {
  const record = (apply?: (e: EventEnvelope) => void) => ({
    group: "order-double",
    async handler(envelope: EventEnvelope) {
      book.received.push(envelope);
      apply?.(envelope);
    },
  });
  return withChannels({
    name: "order",
    actions: {
      preparePayment: {
        params: { parentOrderNo: "string" },
        handler(ctx: Context<{ parentOrderNo: string }, { user?: Caller }>): PreparePaymentResult {
          const { parentOrderNo } = ctx.params;
          const checkout = book.checkouts.get(parentOrderNo);
          if (!checkout || checkout.buyerId !== ctx.meta.user?.userId) {
            throw new OmsError("NOT_FOUND", "Order not found", { parentOrderNo });
          }
          if (checkout.state !== "PENDING_PAYMENT") {
            throw new OmsError("INVALID_TRANSITION", "Not payable", { state: checkout.state, event: "pay" });
          }
          return {
            parentOrderNo,
            buyerId: checkout.buyerId,
            payableMinor: checkout.payableMinor,
            currency: "CNY",
            paymentDeadline: new Date(Date.now() + 1_800_000).toISOString(),
            orders: [{ orderNo: parentOrderNo, shopId: "shop-1", payableMinor: checkout.payableMinor }],
          };
        },
      },
    },
    channels: {
      [PAYMENT_CHANNELS.succeeded]: record((e) => {
        const checkout = book.checkouts.get((e.payload as { parentOrderNo: string }).parentOrderNo);
        if (checkout && !checkout.frozen) checkout.state = "PAID";
      }),
      [PAYMENT_CHANNELS.failed]: record(),
      [PAYMENT_CHANNELS.refundSucceeded]: record(),
    },
  });
}
