import type { Pool } from "pg";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import type { OrderNumberRequest } from "../../../shared/order-number/counter-blocks";
import type { ProviderRegistry } from "../providers/provider-registry";

/** The logger methods the commands use (Moleculer's logger fits). */
export interface PaymentLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

/** What the payment commands work with; the service file wires it from its broker, pool and config. */
export interface PaymentDeps {
  pool: Pool;
  providers: ProviderRegistry;
  /** Each provider's callback key (configuration; an empty key refuses that provider's documents). */
  secrets: Record<PaymentMethod, string>;
  nextNumber(request: OrderNumberRequest): Promise<string>;
  /**
   * A PENDING payment (or refund) is first queried at its provider this long after creation; a
   * failed provider close is first retried this long after the attempt was closed.
   */
  queryAfterMs: number;
  /** Provider notifications older than this are purged from the inbox. */
  noticeRetentionMs: number;
  sandboxEnabled: boolean;
  /** Called after a commit that recorded events, so the outbox relay publishes them at once. */
  committed(): void;
  logger: PaymentLogger;
}
