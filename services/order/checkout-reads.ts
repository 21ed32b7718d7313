import type { Pool } from "pg";
import { Coalescer } from "../../shared/batching/coalescer";
import { type Checkout, type ChildStatus, checkoutStatuses, findCheckouts } from "./store/order.repo";

/**
 * The storefront's reads of a checkout (the payment's preparation, the result
 * page and its long poll), the reads asked for in the same turn of the event
 * loop in one statement (docs/decisions/0004). A read starts after it was
 * asked for, so it sees every commit made before.
 */
export class CheckoutReads {
  private readonly checkouts: Coalescer<string, Checkout>;
  private readonly statuses: Coalescer<string, ChildStatus[]>;

  constructor(pool: Pool) {
    this.checkouts = new Coalescer(async (nos) => {
      const found = await findCheckouts(pool, [...new Set(nos)]);
      return nos.map((no) => found.get(no) as Checkout);
    });
    this.statuses = new Coalescer(async (nos) => {
      const found = await checkoutStatuses(pool, [...new Set(nos)]);
      return nos.map((no) => found.get(no) ?? []);
    });
  }

  /** The checkout (a null parent when there is none). */
  checkout(parentOrderNo: string): Promise<Checkout> {
    return this.checkouts.submit(parentOrderNo);
  }

  /** Its children's owners and statuses (none when there is no such checkout). */
  childStatuses(parentOrderNo: string): Promise<ChildStatus[]> {
    return this.statuses.submit(parentOrderNo);
  }
}
