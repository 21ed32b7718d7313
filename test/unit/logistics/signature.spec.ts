import { createHmac } from "node:crypto";
import { signBody, verifySignature } from "../../../services/logistics/domain/signature";

const SECRET = "sf-test-key";
const BODY = '{"WaybillRoute":{"id":"1","mailno":"SF1000000000001","opCode":"80","remark":"已签收"}}';

describe("carrier webhook signature", () => {
  it("is the lowercase hex HMAC-SHA256 of the raw UTF-8 body", () => {
    const expected = createHmac("sha256", SECRET).update(Buffer.from(BODY, "utf8")).digest("hex");
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
    expect(verifySignature(SECRET, BODY, "zz".repeat(32))).toBe(false);
    expect(verifySignature(SECRET, BODY, signBody(SECRET, BODY).slice(0, 63))).toBe(false);
    expect(verifySignature(SECRET, BODY, signBody("zto-test-key", BODY))).toBe(false);
  });

  it("refuses a body changed after signing, even by whitespace", () => {
    const signature = signBody(SECRET, BODY);
    expect(verifySignature(SECRET, BODY.replace('"80"', '"44"'), signature)).toBe(false);
    expect(verifySignature(SECRET, `${BODY}\n`, signature)).toBe(false);
    expect(verifySignature(SECRET, JSON.stringify(JSON.parse(BODY), null, 1), signature)).toBe(false);
  });

  it("refuses everything when the carrier has no configured key", () => {
    expect(verifySignature("", BODY, signBody(SECRET, BODY))).toBe(false);
    expect(() => signBody("", BODY)).toThrow();
  });
});
