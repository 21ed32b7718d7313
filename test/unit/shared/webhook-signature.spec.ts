import { createHmac } from "node:crypto";
import { signBody, verifySignature } from "../../../shared/webhooks/signature";

const SECRET = "wechat-test-key";
const BODY = '{"id":"EV-1","resource":{"amount":{"total":12345}}}';

describe("provider callback signature", () => {
  it("is the lowercase hex HMAC-SHA256 of the raw body", () => {
    const expected = createHmac("sha256", SECRET).update(BODY).digest("hex");
    expect(signBody(SECRET, BODY)).toBe(expected);
    expect(signBody(SECRET, BODY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("accepts the body's own signature, in either letter case", () => {
    const signature = signBody(SECRET, BODY);
    expect(verifySignature(SECRET, BODY, signature)).toBe(true);
    expect(verifySignature(SECRET, BODY, signature.toUpperCase())).toBe(true);
  });

  it("refuses a missing, malformed or foreign signature", () => {
    expect(verifySignature(SECRET, BODY, undefined)).toBe(false);
    expect(verifySignature(SECRET, BODY, null)).toBe(false);
    expect(verifySignature(SECRET, BODY, "")).toBe(false);
    expect(verifySignature(SECRET, BODY, "not-hex")).toBe(false);
    expect(verifySignature(SECRET, BODY, signBody("another-key", BODY))).toBe(false);
  });

  it("refuses a body changed after signing, even by one byte or by whitespace", () => {
    const signature = signBody(SECRET, BODY);
    expect(verifySignature(SECRET, BODY.replace("12345", "12346"), signature)).toBe(false);
    expect(verifySignature(SECRET, `${BODY} `, signature)).toBe(false);
  });

  it("refuses everything when the provider has no configured key", () => {
    expect(verifySignature("", BODY, signBody(SECRET, BODY))).toBe(false);
    expect(() => signBody("", BODY)).toThrow();
  });
});
