import type { Queryable } from "../db/pool";

/** Writes a batch of items in one round trip; answers one result per item, in the items' order. */
export type FlushBatch<T, R> = (items: T[]) => Promise<R[]>;

/** A flush for writes that answer nothing: `write(items)`, then one `undefined` per item. */
export const inBatches =
  <T>(write: (items: T[]) => Promise<unknown>): FlushBatch<T, void> =>
  async (items) => {
    await write(items);
    return items.map(() => undefined);
  };

/** Options of a `Coalescer`. */
export interface CoalescerOptions {
  /** Items per flush at most; default 100. */
  maxBatch?: number;
  /** Flushes in flight at once; default 1. */
  maxConcurrent?: number;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Group commit: callers submit one item each, and items that arrive while a
 * flush is in flight go out together in the next one: one statement, one
 * commit, one round trip for many callers. An idle coalescer flushes at the
 * end of the current turn of the event loop (`setImmediate`), with every item
 * submitted in that turn: no timer, so no latency at low load, and under load
 * the callers that a burst of replies woke together share one flush instead
 * of the first going alone. Under load the batches grow by themselves.
 *
 * A failed batch of several items is retried item by item, so one bad item
 * fails only its own caller (and a batch that failed for a passing reason,
 * a deadlock say, still succeeds). `flush` must therefore be safe to repeat
 * for items whose batch failed: a transaction that rolled back, or an
 * idempotent write.
 */
export class Coalescer<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;

  constructor(
    private readonly flush: FlushBatch<T, R>,
    options: CoalescerOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 100;
    this.maxConcurrent = options.maxConcurrent ?? 1;
  }

  /** Queues `item` for the next flush; resolves with its result once its batch is written. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Idle: flush once this turn of the event loop is over, with every item submitted in it.
      // Busy: the flush in flight takes the queue when it ends.
      if (this.inFlight < this.maxConcurrent && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.next();
        });
      }
    });
  }

  private next(): void {
    while (this.inFlight < this.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.next();
      });
    }
  }

  private async write(batch: Waiting<T, R>[]): Promise<void> {
    try {
      settle(batch, await this.flushChecked(batch));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      for (const one of batch) {
        try {
          settle([one], await this.flushChecked([one]));
        } catch (oneErr) {
          one.reject(oneErr);
        }
      }
    }
  }

  private async flushChecked(batch: Waiting<T, R>[]): Promise<R[]> {
    const results = await this.flush(batch.map((w) => w.item));
    if (results.length !== batch.length)
      throw new Error(`flush answered ${results.length} results for ${batch.length} items`);
    return results;
  }
}

function settle<T, R>(batch: Waiting<T, R>[], results: R[]): void {
  batch.forEach((w, i) => {
    w.resolve(results[i] as R);
  });
}

/**
 * `flush` called one item at a time: calls made in one turn of the event loop, or while the
 * previous flush runs, share one `flush(db, items)` (docs/decisions/0004). One coalescer per pool
 * (a service instance), made on first use.
 */
export function perPool<T, R>(
  flush: (db: Queryable, items: T[]) => Promise<R[]>,
  options?: CoalescerOptions,
): (db: Queryable, item: T) => Promise<R> {
  const coalescers = new WeakMap<Queryable, Coalescer<T, R>>();
  return (db, item) => {
    let coalescer = coalescers.get(db);
    if (!coalescer) {
      coalescer = new Coalescer((items: T[]) => flush(db, items), options);
      coalescers.set(db, coalescer);
    }
    return coalescer.submit(item);
  };
}

/**
 * A flush for items of which one per key may go in a statement (a row the statement would touch
 * twice): the first item of each key goes in one `flush`, each other one alone after it, in order,
 * as it would have gone had it come a moment later.
 */
export function onePerKey<T, R>(
  key: (item: T) => string,
  flush: (db: Queryable, items: T[]) => Promise<R[]>,
): (db: Queryable, items: T[]) => Promise<R[]> {
  return async (db, items) => {
    const firsts = new Map<string, T>();
    for (const item of items) if (!firsts.has(key(item))) firsts.set(key(item), item);
    const batch = [...firsts.values()];
    const answers = new Map(zip(batch, await flush(db, batch)));
    const results: R[] = [];
    for (const item of items) {
      results.push(answers.has(item) ? (answers.get(item) as R) : ((await flush(db, [item]))[0] as R));
    }
    return results;
  };
}

const zip = <A, B>(as: A[], bs: B[]): [A, B][] => as.map((a, i) => [a, bs[i] as B]);
