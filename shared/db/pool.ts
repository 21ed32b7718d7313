import { createHash } from "node:crypto";
import { Client, Pool, type PoolClient, types } from "pg";
import type { AppConfig } from "../config/config";

// Amounts are bigint columns holding minor units far below 2^53: read them as numbers, not strings.
types.setTypeParser(types.builtins.INT8, (value) => Number.parseInt(value, 10));
const INT8_ARRAY = 1016 as Parameters<typeof types.setTypeParser>[0];
const INT4_ARRAY = 1007 as Parameters<typeof types.getTypeParser>[0];
types.setTypeParser(INT8_ARRAY, types.getTypeParser(INT4_ARRAY));

/** The PostgreSQL schema that a service owns, under the run's prefix. */
export function schemaName(cfg: Pick<AppConfig, "dbSchemaPrefix">, service: string): string {
  const name = `${cfg.dbSchemaPrefix}${service}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Invalid schema name "${name}"`);
  return name;
}

// Statement names by SQL text. Our statements are constant texts (a few hundred in all); the cap
// only guards against a caller that builds texts from data, whose statements then stay unnamed.
const statementNames = new Map<string, string>();
const MAX_STATEMENT_NAMES = 5_000;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_STATEMENT_NAMES) {
    name = `s${createHash("sha1").update(text).digest("base64url")}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Sends every parameterised query as a named prepared statement, so each
 * connection parses and plans a statement once and reuses it (PostgreSQL's
 * plan cache) instead of on every call: about 40% less PostgreSQL CPU on the
 * place-and-pay path (docs/performance.md).
 */
function prepareByText(client: PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof text === "string" && Array.isArray(values) ? statementName(text) : undefined;
    return name ? query({ name, text, values }, callback) : query(text, values, callback);
  }) as PoolClient["query"];
}

/**
 * A pool whose connections see only the service's schema (`search_path`), so
 * a service's SQL names its own tables unqualified and cannot reach another's
 * by accident. With `dbPreparedStatements`, parameterised queries are prepared
 * once per connection (turn it off behind a transaction-pooling PgBouncer).
 */
export function createPool(
  cfg: Pick<AppConfig, "databaseUrl" | "dbPoolMax" | "dbPreparedStatements">,
  schema: string,
): Pool {
  const pool = new Pool({
    connectionString: cfg.databaseUrl,
    max: cfg.dbPoolMax,
    options: `-c search_path=${schema}`,
    idleTimeoutMillis: 30_000,
  });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  if (cfg.dbPreparedStatements) pool.on("connect", prepareByText);
  return pool;
}

export type Queryable = Pick<PoolClient, "query">;

/**
 * Runs `work` in one transaction: commit on success, rollback on any throw.
 * A connection that broke meanwhile is discarded, not returned to the pool.
 */
export async function withTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A dropped connection emits "error" on the checked-out client; without a listener it kills the process.
  const onError = (err: Error) => {
    broken = err;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch((rollbackErr: Error) => {
      broken = broken ?? rollbackErr;
    });
    throw err;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/**
 * Deletes the rows of `table` matching `where` (its `$1` is `before`), `chunk` at a time, and
 * answers how many went. Chunks keep a large backlog from becoming one long lock-holding statement;
 * SKIP LOCKED lets two pods purge at once without waiting on each other or counting a row twice.
 * The chunk's rows are found by `where` (give it an index) and deleted by their physical address.
 */
export async function deleteInChunks(
  pool: Pool,
  table: string,
  where: string,
  before: Date,
  chunk = 10_000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM ${table} WHERE ${where} LIMIT $2 FOR UPDATE SKIP LOCKED))`,
      [before, chunk],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < chunk) return total;
  }
}

/**
 * Whether the server runs autovacuum. Without it the planner never learns how the tables grew:
 * prepared statements keep the plans made for empty tables, whose sequential scans then grow
 * with the tables (docs/performance.md "Statistics").
 */
export async function runsAutovacuum(cfg: Pick<AppConfig, "databaseUrl">): Promise<boolean> {
  const client = new Client({ connectionString: cfg.databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ autovacuum: string }>("SHOW autovacuum")).rows[0]?.autovacuum === "on";
  } finally {
    await client.end();
  }
}
