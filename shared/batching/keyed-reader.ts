import type { Queryable } from "../db/pool";
import { Coalescer } from "./coalescer";

/**
 * A read by key whose calls made in one turn of the event loop, or while the
 * previous read runs, share one statement (docs/decisions/0004). `readMany`
 * answers what it found for distinct keys; a key it did not find answers
 * `missing(key)`. One coalescer per pool (a service instance), made on first
 * use. A read is sent after it was asked for, so it sees every commit made
 * before. Callers that asked for the same key in one read get the same
 * answer object: treat it as read-only.
 */
export function keyedReader<K, V>(
  readMany: (db: Queryable, keys: K[]) => Promise<Map<K, V>>,
  missing: (key: K) => V,
): (db: Queryable, key: K) => Promise<V> {
  const readers = new WeakMap<Queryable, Coalescer<K, V>>();
  return (db, key) => {
    let reader = readers.get(db);
    if (!reader) {
      reader = new Coalescer(async (keys: K[]) => {
        const found = await readMany(db, [...new Set(keys)]);
        return keys.map((k) => (found.has(k) ? (found.get(k) as V) : missing(k)));
      });
      readers.set(db, reader);
    }
    return reader.submit(key);
  };
}
