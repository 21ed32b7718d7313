import { createHash } from "node:crypto";
import type { Pool } from "pg";
import { OmsError } from "../../shared/errors";

/** How long a key stays IN_PROGRESS before a retry may take it over (its first request died). */
const STALE_IN_PROGRESS_MS = 120_000;
/** Keys are kept at least this long (API.md: 24 hours). */
export const KEY_RETENTION_MS = 48 * 3_600_000;

/** A stable digest of a request: route and canonical JSON of its parameters. */
export function requestHash(route: string, params: unknown): string {
  return createHash("sha256").update(route).update("\n").update(canonicalJson(params)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What to do with a request carrying a key: run it, or replay the first answer. */
export type Claim = { kind: "run" } | { kind: "replay"; status: number; body: unknown };

/**
 * Claims (caller, key) for this request. The same key with another body is
 * 422 IDEMPOTENCY_KEY_REUSED; while the first request runs, 409
 * REQUEST_IN_PROGRESS; once it succeeded, its answer is replayed.
 */
export async function claimKey(
  pool: Pool,
  caller: string,
  key: string,
  route: string,
  hash: string,
): Promise<Claim> {
  const inserted = await pool.query(
    `INSERT INTO idempotency_keys (caller, key, route, request_hash, status) VALUES ($1, $2, $3, $4, 'IN_PROGRESS')
     ON CONFLICT DO NOTHING`,
    [caller, key, route, hash],
  );
  if (inserted.rowCount === 1) return { kind: "run" };
  const { rows } = await pool.query(
    "SELECT route, request_hash, status, response_status, response_body, updated_at FROM idempotency_keys WHERE caller = $1 AND key = $2",
    [caller, key],
  );
  const row = rows[0];
  if (!row) return claimKey(pool, caller, key, route, hash);
  if (row.route !== route || row.request_hash !== hash) {
    throw new OmsError("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for another request", {
      header: "Idempotency-Key",
    });
  }
  if (row.status === "DONE") return { kind: "replay", status: row.response_status, body: row.response_body };
  const takenOver = await pool.query(
    `UPDATE idempotency_keys SET updated_at = now()
     WHERE caller = $1 AND key = $2 AND status = 'IN_PROGRESS' AND updated_at < now() - make_interval(secs => $3)`,
    [caller, key, STALE_IN_PROGRESS_MS / 1000],
  );
  if (takenOver.rowCount === 1) return { kind: "run" };
  throw new OmsError("REQUEST_IN_PROGRESS", "A request with this Idempotency-Key is still running", {
    header: "Idempotency-Key",
  });
}

/** Stores the successful answer so retries replay it. */
export async function completeKey(
  pool: Pool,
  caller: string,
  key: string,
  status: number,
  body: unknown,
): Promise<void> {
  await pool.query(
    `UPDATE idempotency_keys SET status = 'DONE', response_status = $3, response_body = $4, updated_at = now()
     WHERE caller = $1 AND key = $2`,
    [caller, key, status, JSON.stringify(body ?? null)],
  );
}

/** Frees the key after a failure, so the client may retry with it (only successes are replayed). */
export async function releaseKey(pool: Pool, caller: string, key: string): Promise<void> {
  await pool.query("DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND status = 'IN_PROGRESS'", [
    caller,
    key,
  ]);
}

/** Deletes keys past retention. */
export async function purgeKeys(pool: Pool, now = new Date()): Promise<number> {
  const { rowCount } = await pool.query("DELETE FROM idempotency_keys WHERE created_at < $1", [
    new Date(now.getTime() - KEY_RETENTION_MS),
  ]);
  return rowCount ?? 0;
}
