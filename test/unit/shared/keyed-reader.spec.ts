import { keyedReader } from "../../../shared/batching/keyed-reader";
import type { Queryable } from "../../../shared/db/pool";

/** A reader over a fake table that records the keys of each read. */
function recordingReader(table: Map<string, number>) {
  const reads: { db: string; keys: string[] }[] = [];
  const read = keyedReader<string, number | null>(
    async (db, keys) => {
      reads.push({ db: (db as unknown as { name: string }).name, keys });
      return new Map(keys.filter((k) => table.has(k)).map((k) => [k, table.get(k) as number]));
    },
    () => null,
  );
  return { reads, read };
}

const db = (name: string) => ({ name }) as unknown as Queryable;

describe("keyedReader", () => {
  it("answers the reads of one turn from one read of their distinct keys, a missing key from `missing`", async () => {
    const { reads, read } = recordingReader(
      new Map([
        ["a", 1],
        ["b", 2],
      ]),
    );
    const pool = db("pool");
    await expect(Promise.all(["a", "b", "a", "zz"].map((k) => read(pool, k)))).resolves.toEqual([
      1,
      2,
      1,
      null,
    ]);
    expect(reads).toEqual([{ db: "pool", keys: ["a", "b", "zz"] }]);
  });

  it("reads for each pool apart", async () => {
    const { reads, read } = recordingReader(new Map([["a", 1]]));
    const [mine, theirs] = [db("mine"), db("theirs")];
    await Promise.all([read(mine, "a"), read(theirs, "a")]);
    expect(reads.map((r) => r.db).sort()).toEqual(["mine", "theirs"]);
  });
});
