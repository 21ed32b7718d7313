import { createSecretKey, type KeyObject } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { type Caller, ROLES, type Role } from "../../shared/contracts/caller";
import { OmsError } from "../../shared/errors";

export type AuthUser = Caller;

const ISSUER = "oms";
const TOKEN_TTL = "12h";

const keys = new Map<string, KeyObject>();

/** The HMAC key of a secret, made once: given bytes, jose makes a key object on every token. */
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, "utf8"));
    keys.set(secret, key);
  }
  return key;
}

/** Signs an HS256 token with the claims of API.md: `sub`, `role`, `shopId` for merchants. */
export async function signToken(user: AuthUser, secret: string): Promise<string> {
  const claims: Record<string, unknown> = { role: user.role };
  if (user.shopId !== undefined) claims.shopId = user.shopId;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user.userId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(TOKEN_TTL)
    .sign(keyOf(secret));
}

/** A token that passed verification: its caller, until it expires. */
interface Verified {
  user: Readonly<AuthUser>;
  secret: string;
  expiresAtMs: number;
}

/**
 * Tokens verified lately, oldest first. A client sends the same token with every request, and
 * checking an HS256 signature costs about 10 µs (1-2% of a checkout's CPU at c=32); a token seen
 * before is answered from here until its `exp`. Only a token that passed with the same secret is
 * kept, keyed by its whole text (signature included), so nothing unverified is ever trusted.
 */
const verified = new Map<string, Verified>();
export const VERIFIED_TOKENS_KEPT = 10_000;

/** Reads `Authorization: Bearer <jwt>`; any problem is 401 UNAUTHORIZED with the reason. */
export async function verifyBearer(header: string | undefined, secret: string): Promise<AuthUser> {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  const token = match?.[1];
  if (!token) throw new OmsError("UNAUTHORIZED", "Missing bearer token", { header: "Authorization" });
  const known = verified.get(token);
  if (known && known.secret === secret && known.expiresAtMs > Date.now()) return known.user;
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, algorithms: ["HS256"] });
    const user = Object.freeze(userFromClaims(payload));
    // Our tokens always carry `exp`; one without is verified every time.
    if (typeof payload.exp === "number") remember(token, { user, secret, expiresAtMs: payload.exp * 1000 });
    return user;
  } catch (err) {
    if (err instanceof OmsError) throw err;
    const reason = err instanceof joseErrors.JWTExpired ? "Token expired" : "Invalid token";
    throw new OmsError("UNAUTHORIZED", reason, { header: "Authorization" });
  }
}

function remember(token: string, entry: Verified): void {
  verified.delete(token);
  if (verified.size >= VERIFIED_TOKENS_KEPT) {
    const oldest = verified.keys().next().value;
    if (oldest !== undefined) verified.delete(oldest);
  }
  verified.set(token, entry);
}

/** Validates the claims a token carries: a subject, a known role, a shop for merchants. */
export function userFromClaims(claims: { sub?: unknown; role?: unknown; shopId?: unknown }): AuthUser {
  const { sub, role, shopId } = claims;
  if (typeof sub !== "string" || sub === "") throw new OmsError("UNAUTHORIZED", "Token has no subject");
  if (!ROLES.includes(role as Role)) throw new OmsError("UNAUTHORIZED", "Token has an unknown role");
  if (role === "merchant" && (typeof shopId !== "string" || shopId === "")) {
    throw new OmsError("UNAUTHORIZED", "Merchant token has no shopId");
  }
  return typeof shopId === "string"
    ? { userId: sub, role: role as Role, shopId }
    : { userId: sub, role: role as Role };
}

/** 403 unless the caller's role is one the route allows. */
export function assertRole(
  user: AuthUser | null | undefined,
  allowed: readonly Role[],
): asserts user is AuthUser {
  if (!user) throw new OmsError("UNAUTHORIZED", "Missing bearer token", { header: "Authorization" });
  if (!allowed.includes(user.role)) {
    throw new OmsError("FORBIDDEN", `Role ${user.role} may not do this`, { role: user.role, allowed });
  }
}
