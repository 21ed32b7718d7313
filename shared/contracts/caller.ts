import { OmsError } from "../errors";

export const ROLES = ["buyer", "merchant", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, as the gateway puts it in `ctx.meta.user` for every action. */
export interface Caller {
  userId: string;
  role: Role;
  shopId?: string;
}

/** The caller from `ctx.meta`; actions reached without one (a bug in routing) fail closed. */
export function callerOf(meta: { user?: Caller | null }): Caller {
  if (!meta.user) throw new OmsError("UNAUTHORIZED", "Missing bearer token", { header: "Authorization" });
  return meta.user;
}

/** Admins act on every shop; a merchant only on its own (403 otherwise); buyers never. */
export function assertShopAccess(caller: Caller, shopId: string): void {
  if (caller.role === "admin") return;
  if (caller.role === "merchant" && caller.shopId === shopId) return;
  throw new OmsError("FORBIDDEN", "Not your shop", { shopId });
}
