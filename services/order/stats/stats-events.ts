import type { Pool } from "pg";
import { Coalescer } from "../../../shared/batching/coalescer";
import type {
  OrderPaidPayload,
  OrderPlacedPayload,
  OrderStepPayload,
} from "../../../shared/contracts/order.contract";
import type { RefundSucceededPayload } from "../../../shared/contracts/payment.contract";
import type { InboxKey } from "../../../shared/outbox/inbox";
import type { EventEnvelope } from "../../../shared/outbox/outbox";
import type { OrderClosedPayload } from "../order.events";
import {
  recordPaid,
  recordPaidBatch,
  recordPlacedBatch,
  recordRefund,
  recordStep,
  type StatsEvent,
} from "./stats-write.repo";

/**
 * The statistics' consumers of the order service's durable events. Each has its own consumer name (its
 * JetStream group and inbox key), so it counts every event exactly once whatever the other consumers do;
 * each count is one statement that records the inbox row and re-reads the order (events carry ids only), and
 * the hot consumers (`order.placed`, `order.paid`) count a batch of events in one statement.
 * An event that counts nothing (a close other than out of stock, say) writes nothing at all.
 */
export interface StatsConsumer {
  /** Consumer group and inbox key. */
  group: string;
  /** Unacked deliveries at once, for a consumer that counts them in batches (the channels' default otherwise). */
  maxInFlight?: number;
  handle(pool: Pool, envelope: EventEnvelope): Promise<void>;
}

/** Events counted in one statement at most, and deliveries in flight for a batching consumer. */
export const STATS_BATCH_MAX = 64;

const consumer = (
  group: string,
  work: (pool: Pool, envelope: EventEnvelope, once: InboxKey) => Promise<unknown>,
): StatsConsumer => ({
  group,
  async handle(pool, envelope) {
    await work(pool, envelope, { consumer: group, eventId: envelope.eventId });
  },
});

/**
 * A hot consumer whose deliveries are counted together: each submits its event to the pool's coalescer and
 * waits; the coalescer counts what arrived meanwhile in one statement (a lone event at once, so no added
 * latency at low load). A failed batch is retried event by event, which is safe: each batch is one statement.
 * One coalescer per pool, i.e. per service instance: brokers in one process do not share batches.
 */
const batchedConsumer = (
  group: string,
  count: (pool: Pool, events: StatsEvent[]) => Promise<boolean[]>,
): StatsConsumer => {
  const coalescers = new WeakMap<Pool, Coalescer<StatsEvent, boolean>>();
  const coalescerOf = (pool: Pool) => {
    let coalescer = coalescers.get(pool);
    if (!coalescer) {
      coalescer = new Coalescer((events) => count(pool, events), { maxBatch: STATS_BATCH_MAX });
      coalescers.set(pool, coalescer);
    }
    return coalescer;
  };
  return {
    group,
    maxInFlight: STATS_BATCH_MAX,
    async handle(pool, envelope) {
      const { orderNo } = envelope.payload as OrderPlacedPayload | OrderPaidPayload;
      await coalescerOf(pool).submit({ orderNo, once: { consumer: group, eventId: envelope.eventId } });
    },
  };
};

/** The statistics' consumers by channel. */
export const STATS_CONSUMERS: Record<string, StatsConsumer> = {
  /** A child order was created. */
  "order.placed": batchedConsumer("order-stats-placed", recordPlacedBatch),
  /** A child order was paid. */
  "order.paid": batchedConsumer("order-stats-paid", recordPaidBatch),
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
