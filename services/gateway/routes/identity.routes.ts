import { ADMIN, ALL, type RouteDef } from "./route-def";

/** Identity and operations routes. */
export const IDENTITY_ROUTES: readonly RouteDef[] = [
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
