import type { Queryable } from "../db/pool";
import { perPool } from "./coalescer";

/**
 * A read by key whose calls made in one turn of the event loop, or while the
 * previous read runs, share one statement (`perPool`). `readMany` answers what
 * it found for distinct keys; a key it did not find answers `missing(key)`. A
 * read is sent after it was asked for, so it sees every commit made before.
 * Callers that asked for the same key in one read get the same answer object:
 * treat it as read-only.
 */
export function keyedReader<K, V>(
  readMany: (db: Queryable, keys: K[]) => Promise<Map<K, V>>,
  missing: (key: K) => V,
): (db: Queryable, key: K) => Promise<V> {
  return perPool(async (db, keys: K[]) => {
    const found = await readMany(db, [...new Set(keys)]);
    return keys.map((k) => (found.has(k) ? (found.get(k) as V) : missing(k)));
  });
}
