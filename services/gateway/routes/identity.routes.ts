import type { Role } from "./auth";

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
  /** JSON schema of the body, for the OpenAPI document. */
  body?: Record<string, unknown>;
  /** Status of a successful answer (default 200). */
  status?: number;
}

const ALL: readonly Role[] = ["buyer", "merchant", "admin"];
const ADMIN: readonly Role[] = ["admin"];

/** The REST API under /api/v1 (API.md). Later capabilities add their rows here. */
export const API_ROUTES: readonly RouteDef[] = [
  {
    method: "POST",
    path: "/auth/dev-token",
    action: "gateway.devToken",
    roles: "public",
    summary: "Issue a development token (only when AUTH_DEV_TOKENS=true)",
    tag: "Identity",
    body: {
      type: "object",
      required: ["userId", "role"],
      properties: {
        userId: { type: "string" },
        role: { type: "string", enum: ["buyer", "merchant", "admin"] },
        shopId: { type: "string", description: "required for merchants" },
      },
    },
  },
  {
    method: "GET",
    path: "/me",
    action: "gateway.me",
    roles: ALL,
    summary: "The caller as the token says",
    tag: "Identity",
  },
  {
    method: "GET",
    path: "/admin/services",
    action: "gateway.servicesHealth",
    roles: ADMIN,
    summary: "Health of every service instance the broker sees, asked over the transporter",
    tag: "Operations",
  },
];
