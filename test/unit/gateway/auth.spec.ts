import { createSecretKey } from "node:crypto";
import { SignJWT } from "jose";
import { signToken, VERIFIED_TOKENS_KEPT, verifyBearer } from "../../../services/gateway/auth";

const SECRET = "a-secret-of-the-right-length-000";
const bearer = (token: string) => `Bearer ${token}`;

/** A token like ours whose `exp` is `secondsLeft` from now. */
function expiringToken(userId: string, secondsLeft: number): Promise<string> {
  return new SignJWT({ role: "buyer" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuer("oms")
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + secondsLeft)
    .sign(createSecretKey(Buffer.from(SECRET, "utf8")));
}

describe("verifyBearer", () => {
  afterEach(() => jest.useRealTimers());

  it("answers the caller of a token it verified before, the same each time", async () => {
    const token = await signToken({ userId: "m-1", role: "merchant", shopId: "shop-1" }, SECRET);
    const first = await verifyBearer(bearer(token), SECRET);
    expect(first).toEqual({ userId: "m-1", role: "merchant", shopId: "shop-1" });
    expect(await verifyBearer(bearer(token), SECRET)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("still refuses a known token under another secret, and a tampered copy of it", async () => {
    const token = await signToken({ userId: "b-1", role: "buyer" }, SECRET);
    await verifyBearer(bearer(token), SECRET);
    await expect(verifyBearer(bearer(token), `${SECRET}-rotated`)).rejects.toMatchObject({
      type: "UNAUTHORIZED",
      message: "Invalid token",
    });
    const [header, , signature] = token.split(".");
    const claims = Buffer.from(JSON.stringify({ role: "admin", sub: "b-1", iss: "oms" })).toString(
      "base64url",
    );
    await expect(verifyBearer(bearer(`${header}.${claims}.${signature}`), SECRET)).rejects.toMatchObject({
      type: "UNAUTHORIZED",
    });
  });

  it("stops answering a known token once it expired", async () => {
    const token = await expiringToken("b-2", 60);
    expect(await verifyBearer(bearer(token), SECRET)).toEqual({ userId: "b-2", role: "buyer" });
    jest.useFakeTimers({
      now: Date.now() + 61_000,
      doNotFake: ["nextTick", "setImmediate", "queueMicrotask"],
    });
    await expect(verifyBearer(bearer(token), SECRET)).rejects.toMatchObject({
      type: "UNAUTHORIZED",
      message: "Token expired",
    });
  });

  it("keeps a bounded number of tokens, still verifying the ones it let go", async () => {
    const first = await expiringToken("b-first", 3_600);
    const user = await verifyBearer(bearer(first), SECRET);
    for (let i = 0; i < VERIFIED_TOKENS_KEPT; i++) {
      await verifyBearer(bearer(await expiringToken(`b-${i}`, 3_600)), SECRET);
    }
    const again = await verifyBearer(bearer(first), SECRET);
    expect(again).toEqual(user);
    expect(again).not.toBe(user);
  });

  it("names the header when there is no bearer token", async () => {
    for (const header of [undefined, "", "Basic abc", "Bearer"]) {
      await expect(verifyBearer(header, SECRET)).rejects.toMatchObject({
        type: "UNAUTHORIZED",
        data: { header: "Authorization" },
      });
    }
  });
});
