import { Coalescer, onePerKey, perPool } from "../../../shared/batching/coalescer";

/** A flush that records its batches and waits until released. */
function gatedFlush(fail: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  return {
    batches,
    hold() {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    flush: async (items: number[]) => {
      batches.push(items);
      await gate;
      if (items.some(fail)) throw new Error(`bad item in ${items.join(",")}`);
      return items.map((n) => n * 10);
    },
  };
}

describe("Coalescer", () => {
  it("flushes a lone item at once", async () => {
    const f = gatedFlush();
    const c = new Coalescer(f.flush);
    await expect(c.submit(1)).resolves.toBe(10);
    expect(f.batches).toEqual([[1]]);
  });

  it("flushes the items submitted in the same turn of the event loop together", async () => {
    const f = gatedFlush();
    const c = new Coalescer(f.flush);
    await expect(Promise.all([1, 2, 3].map((n) => c.submit(n)))).resolves.toEqual([10, 20, 30]);
    expect(f.batches).toEqual([[1, 2, 3]]);
  });

  it("sends the items that arrive during a flush together in the next one", async () => {
    const f = gatedFlush();
    const c = new Coalescer(f.flush);
    f.hold();
    const first = c.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((n) => c.submit(n));
    f.release();
    await expect(Promise.all([first, ...rest])).resolves.toEqual([10, 20, 30, 40]);
    expect(f.batches).toEqual([[1], [2, 3, 4]]);
  });

  it("never sends more than maxBatch items at once, nor more than maxConcurrent flushes", async () => {
    let inFlight = 0;
    let peak = 0;
    const sizes: number[] = [];
    const c = new Coalescer<number, number>(
      async (items) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
        return items;
      },
      { maxBatch: 3, maxConcurrent: 2 },
    );
    const results = await Promise.all(Array.from({ length: 20 }, (_x, i) => c.submit(i)));
    expect(results).toEqual(Array.from({ length: 20 }, (_x, i) => i));
    expect(Math.max(...sizes)).toBe(3);
    expect(peak).toBe(2);
  });

  it("retries a failed batch item by item, so only the bad item's caller fails", async () => {
    const f = gatedFlush((n) => n === 3);
    const c = new Coalescer(f.flush);
    f.hold();
    const first = c.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((n) => c.submit(n).catch((err: Error) => err.message));
    f.release();
    await expect(Promise.all([first, ...rest])).resolves.toEqual([10, 20, "bad item in 3", 40]);
    expect(f.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it("fails every caller whose flush answers the wrong number of results", async () => {
    const c = new Coalescer<number, number>(async () => []);
    await expect(c.submit(1)).rejects.toThrow("flush answered 0 results for 1 items");
  });
});

describe("perPool and onePerKey", () => {
  const db = { query: async () => ({ rows: [] }) } as never;
  const other = { query: async () => ({ rows: [] }) } as never;

  it("batches the items of one turn per pool, and answers each its own result", async () => {
    const batches: [unknown, string[]][] = [];
    const write = perPool(async (q, items: string[]) => {
      batches.push([q, items]);
      return items.map((s) => s.toUpperCase());
    });
    const answers = await Promise.all([write(db, "a"), write(db, "b"), write(other, "c")]);
    expect(answers).toEqual(["A", "B", "C"]);
    expect(batches).toEqual([
      [db, ["a", "b"]],
      [other, ["c"]],
    ]);
  });

  it("sends the first item of each key together, and each repeat of a key alone after, in order", async () => {
    const batches: string[][] = [];
    const flush = onePerKey(
      (item: string) => item[0] as string,
      async (_q, items: string[]) => {
        batches.push(items);
        return items.map((s) => `${s}!`);
      },
    );
    expect(await flush(db, ["a1", "b1", "a2", "c1", "a3"])).toEqual(["a1!", "b1!", "a2!", "c1!", "a3!"]);
    expect(batches).toEqual([["a1", "b1", "c1"], ["a2"], ["a3"]]);
  });
});
