/**
 * One value loaded on first use and kept for `ttlMs`. Concurrent misses share one load. `forget()` drops
 * the value at once: a load that was already running when it was called is handed to the callers that
 * were waiting for it but never kept, so a read after a write never sees what the write replaced.
 */
export class TtlValue<T> {
  private entry?: { value: T; until: number };
  private loading?: { generation: number; promise: Promise<T> };
  private generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value, or a fresh one when it expired or was forgotten. */
  get(): Promise<T> {
    const startedAt = this.now();
    if (this.entry && this.entry.until > startedAt) return Promise.resolve(this.entry.value);
    if (this.loading?.generation === this.generation) return this.loading.promise;
    const generation = this.generation;
    const promise: Promise<T> = this.load().then(
      (value) => {
        if (this.loading?.promise === promise) this.loading = undefined;
        // The TTL counts from before the read, so a value is never older than ttlMs.
        if (generation === this.generation) this.entry = { value, until: startedAt + this.ttlMs };
        return value;
      },
      (err: unknown) => {
        if (this.loading?.promise === promise) this.loading = undefined;
        throw err;
      },
    );
    this.loading = { generation, promise };
    return promise;
  }

  /** Drops the value (it was written); the next `get` loads again. */
  forget(): void {
    this.generation++;
    this.entry = undefined;
    this.loading = undefined;
  }
}

/**
 * Values by key, each kept for `ttlMs`; the keys missing or expired are loaded in one batch, and a key the
 * load does not return is remembered as absent. `forget` drops keys at once, and a batch that was running
 * meanwhile is not kept (like `TtlValue`).
 */
export class TtlMap<V> {
  private readonly entries = new Map<string, { value: V | undefined; until: number }>();
  private generation = 0;

  constructor(
    private readonly load: (keys: string[]) => Promise<Map<string, V>>,
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The values found for `keys` (absent keys are left out). */
  async get(keys: readonly string[]): Promise<Map<string, V>> {
    const startedAt = this.now();
    const generation = this.generation;
    const found = new Map<string, V>();
    const missing: string[] = [];
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry || entry.until <= startedAt) missing.push(key);
      else if (entry.value !== undefined) found.set(key, entry.value);
    }
    if (missing.length === 0) return found;
    const loaded = await this.load(missing);
    const keep = generation === this.generation;
    if (keep && this.entries.size + missing.length > this.maxEntries) this.entries.clear();
    for (const key of missing) {
      const value = loaded.get(key);
      if (value !== undefined) found.set(key, value);
      if (keep) this.entries.set(key, { value, until: startedAt + this.ttlMs });
    }
    return found;
  }

  /** Drops these keys (they were written). */
  forget(...keys: string[]): void {
    this.generation++;
    for (const key of keys) this.entries.delete(key);
  }
}
