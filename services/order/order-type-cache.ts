import type { OrderTimers } from "./domain/order-config";

/**
 * Order type timers kept in memory for a few seconds: read on every checkout,
 * written by an operator now and then. A write forgets the entry here at once
 * and on other pods by a broadcast; the TTL bounds a missed broadcast.
 */
export class OrderTimersCache {
  private readonly entries = new Map<string, { timers: OrderTimers; until: number }>();

  constructor(
    private readonly load: (orderType: string) => Promise<OrderTimers>,
    private readonly ttlMs = 5_000,
  ) {}

  async get(orderType: string): Promise<OrderTimers> {
    const hit = this.entries.get(orderType);
    if (hit && hit.until > Date.now()) return hit.timers;
    const timers = await this.load(orderType);
    this.entries.set(orderType, { timers, until: Date.now() + this.ttlMs });
    return timers;
  }

  forget(orderType: string): void {
    this.entries.delete(orderType);
  }
}
