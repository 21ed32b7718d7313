import { createHmac, timingSafeEqual } from "node:crypto";

/** The HTTP header a provider's callback or a carrier's webhook carries its signature in. */
export const SIGNATURE_HEADER = "X-Signature";

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The signature of a raw body: lowercase hex of HMAC-SHA256(secret, body as UTF-8). */
export function signBody(secret: string, rawBody: string): string {
  if (secret === "") throw new Error("a signing secret must not be empty");
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("hex");
}

/**
 * Whether `signature` is the body's signature under `secret`. An empty secret (sender not
 * configured), a missing or malformed signature are all false; the comparison takes constant time.
 */
export function verifySignature(
  secret: string,
  rawBody: string,
  signature: string | undefined | null,
): boolean {
  if (secret === "" || typeof signature !== "string") return false;
  const given = signature.trim().toLowerCase();
  if (!HEX_SHA256.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, "hex"), Buffer.from(signBody(secret, rawBody), "hex"));
}
