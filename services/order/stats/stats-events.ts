import type { Pool, PoolClient } from "pg";
import type {
  OrderPaidPayload,
  OrderPlacedPayload,
  OrderStepPayload,
} from "../../../shared/contracts/order.contract";
import type { RefundSucceededPayload } from "../../../shared/contracts/payment.contract";
import { consumeOnce } from "../../../shared/outbox/inbox";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import type { OrderClosedPayload } from "../order.events";
import { recordPaid, recordPlaced, recordRefund, recordStep } from "./stats-write.repo";

/**
 * The statistics' consumers of the order service's durable events. Each has its own consumer name (its
 * JetStream group and inbox key), so it counts every event exactly once whatever the other consumers do,
 * and it re-reads the order inside the inbox transaction (events carry ids only).
 */
export interface StatsConsumer {
  /** Consumer group and inbox key. */
  group: string;
  handle(pool: Pool, envelope: EventEnvelope): Promise<void>;
}

const consumer = (
  group: string,
  work: (tx: PoolClient, envelope: EventEnvelope) => Promise<unknown>,
): StatsConsumer => ({
  group,
  async handle(pool, envelope) {
    await consumeOnce(pool, group, envelope.eventId, (tx) => work(tx, envelope));
  },
});

/** The statistics' consumers by channel. */
export const STATS_CONSUMERS: Record<string, StatsConsumer> = {
  /** A child order was created. */
  "order.placed": consumer("order-stats-placed", (tx, e) =>
    recordPlaced(tx, (e.payload as OrderPlacedPayload).orderNo),
  ),
  /** A child order was paid. */
  "order.paid": consumer("order-stats-paid", (tx, e) =>
    recordPaid(tx, (e.payload as OrderPaidPayload).orderNo),
  ),
  /** A child closed out of stock at payment was paid too (its money is refunded): it counts as paid. */
  "order.closed": consumer("order-stats-closed", async (tx, e) => {
    const closed = e.payload as OrderClosedPayload;
    if (closed.reason === "OUT_OF_STOCK") await recordPaid(tx, closed.orderNo);
  }),
  /** The funnel's shipped step: the last package was handed over (the order is SHIPPED). */
  "order.shipped": consumer("order-stats-shipped", async (tx, e) => {
    const step = e.payload as OrderStepPayload;
    if (step.status === "SHIPPED") await recordStep(tx, step.orderNo, "shipped");
  }),
  /** The funnel's completed step: receipt confirmed, by the buyer or the timer. */
  "order.completed": consumer("order-stats-completed", (tx, e) =>
    recordStep(tx, (e.payload as OrderStepPayload).orderNo, "completed"),
  ),
  /** A refund of a child order was paid out (refunds of no particular order, e.g. a late payment, are not GMV). */
  "refund.succeeded": consumer("order-stats-refunds", async (tx, e) => {
    const refund = e.payload as RefundSucceededPayload;
    if (refund.orderNo) await recordRefund(tx, refund.orderNo, refund.amountMinor, new Date(e.occurredAt));
  }),
};
