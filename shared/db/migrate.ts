import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Pool } from "pg";
import { withTransaction } from "./pool";

/** Where a service keeps its SQL migrations, applied in file-name order. */
export function migrationsDir(service: string): string {
  return path.join(__dirname, "..", "..", "services", service, "store", "migrations");
}

/**
 * Creates the schema and applies every migration file not yet applied, all in
 * one transaction. An advisory lock per schema makes concurrent starts of the
 * same service (several pods) apply each file once.
 */
export async function migrate(
  pool: Pool,
  schema: string,
  dir: string,
  sharedSql: string[] = [],
): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".sql")).sort();
  return withTransaction(pool, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`migrate:${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await tx.query(`SET LOCAL search_path TO "${schema}"`);
    await tx.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    for (const sql of sharedSql) await tx.query(sql);
    const done = new Set(
      (await tx.query<{ name: string }>("SELECT name FROM schema_migrations")).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.query(await readFile(path.join(dir, file), "utf8"));
      await tx.query("INSERT INTO schema_migrations (name) VALUES ($1)", [file]);
      applied.push(file);
    }
    return applied;
  });
}
