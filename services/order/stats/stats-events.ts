import type { Pool } from "pg";
import type {
  OrderPaidPayload,
  OrderPlacedPayload,
  OrderStepPayload,
} from "../../../shared/contracts/order.contract";
import type { RefundSucceededPayload } from "../../../shared/contracts/payment.contract";
import type { InboxKey } from "../../../shared/outbox/inbox";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import type { OrderClosedPayload } from "../order.events";
import { recordPaid, recordPlaced, recordRefund, recordStep } from "./stats-write.repo";

/**
 * The statistics' consumers of the order service's durable events. Each has its own consumer name (its
 * JetStream group and inbox key), so it counts every event exactly once whatever the other consumers do;
 * each count is one statement that records the inbox row and re-reads the order (events carry ids only).
 * An event that counts nothing (a close other than out of stock, say) writes nothing at all.
 */
export interface StatsConsumer {
  /** Consumer group and inbox key. */
  group: string;
  handle(pool: Pool, envelope: EventEnvelope): Promise<void>;
}

const consumer = (
  group: string,
  work: (pool: Pool, envelope: EventEnvelope, once: InboxKey) => Promise<unknown>,
): StatsConsumer => ({
  group,
  async handle(pool, envelope) {
    await work(pool, envelope, { consumer: group, eventId: envelope.eventId });
  },
});

/** The statistics' consumers by channel. */
export const STATS_CONSUMERS: Record<string, StatsConsumer> = {
  /** A child order was created. */
  "order.placed": consumer("order-stats-placed", (pool, e, once) =>
    recordPlaced(pool, (e.payload as OrderPlacedPayload).orderNo, once),
  ),
  /** A child order was paid. */
  "order.paid": consumer("order-stats-paid", (pool, e, once) =>
    recordPaid(pool, (e.payload as OrderPaidPayload).orderNo, once),
  ),
  /** A child closed out of stock at payment was paid too (its money is refunded): it counts as paid. */
  "order.closed": consumer("order-stats-closed", async (pool, e, once) => {
    const closed = e.payload as OrderClosedPayload;
    if (closed.reason === "OUT_OF_STOCK") await recordPaid(pool, closed.orderNo, once);
  }),
  /** The funnel's shipped step: the last package was handed over (the order is SHIPPED). */
  "order.shipped": consumer("order-stats-shipped", async (pool, e, once) => {
    const step = e.payload as OrderStepPayload;
    if (step.status === "SHIPPED") await recordStep(pool, step.orderNo, "shipped", once);
  }),
  /** The funnel's completed step: receipt confirmed, by the buyer or the timer. */
  "order.completed": consumer("order-stats-completed", (pool, e, once) =>
    recordStep(pool, (e.payload as OrderStepPayload).orderNo, "completed", once),
  ),
  /** A refund of a child order was paid out (refunds of no particular order, e.g. a late payment, are not GMV). */
  "refund.succeeded": consumer("order-stats-refunds", async (pool, e, once) => {
    const refund = e.payload as RefundSucceededPayload;
    if (refund.orderNo)
      await recordRefund(pool, refund.orderNo, refund.amountMinor, new Date(e.occurredAt), once);
  }),
};
