import type { Role } from "../../../shared/contracts/caller";

/** One REST endpoint: the alias for moleculer-web, the roles it allows, and its OpenAPI entry. */
export interface RouteDef {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path under /api/v1, with `:param` placeholders. */
  path: string;
  action: string;
  /** Roles allowed, or "public" for no token (callbacks carry their own signature). */
  roles: readonly Role[] | "public";
  summary: string;
  tag: string;
  /** Query parameters, for the OpenAPI document (the owning action validates them). */
  query?: Record<string, QueryParam>;
  /** JSON schema of the body, for the OpenAPI document. */
  body?: Record<string, unknown>;
  /** Status of a successful answer (default 200). */
  status?: number;
  /** For a 201: where what it created can be read (its `Location`, a path under /api/v1), from the answer. */
  location?: (created: Record<string, unknown>) => string | undefined;
  /** POSTs that create something honour `Idempotency-Key` (API.md). */
  idempotent?: boolean;
  /** A provider's webhook: the action gets the raw body and `X-Signature` in `ctx.meta` to verify. */
  webhook?: boolean;
}

/** One optional query parameter: what it does and its JSON schema. */
export interface QueryParam {
  description: string;
  schema: Record<string, unknown>;
}

/** `/<collection>/<id>` for the created item's `field`, or nothing when the answer lacks it. */
export const locatedBy =
  (collection: string, field: string) =>
  (created: Record<string, unknown>): string | undefined =>
    typeof created[field] === "string" ? `/${collection}/${encodeURIComponent(created[field])}` : undefined;

export const ALL: readonly Role[] = ["buyer", "merchant", "admin"];
export const ADMIN: readonly Role[] = ["admin"];
export const MERCHANT_OR_ADMIN: readonly Role[] = ["merchant", "admin"];
export const BUYER: readonly Role[] = ["buyer"];
