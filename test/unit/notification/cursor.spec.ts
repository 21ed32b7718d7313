import { decodeCursor, encodeCursor } from "../../../services/notification/domain/cursor";

const ID = "0b6f7c1e-5d2a-4c39-9a51-2f1e8d7c6b5a";

describe("page cursors", () => {
  it("round-trips a page position", () => {
    const position = { at: new Date("2026-11-26T02:00:00.123Z"), id: ID };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it("refuses what is not one of ours", () => {
    expect(decodeCursor("not-a-cursor")).toBeNull();
    expect(decodeCursor(Buffer.from(`2026-11-26T02:00:00Z|42`).toString("base64url"))).toBeNull();
    expect(decodeCursor(Buffer.from(`yesterday|${ID}`).toString("base64url"))).toBeNull();
    expect(decodeCursor(Buffer.from(`2026-11-26T02:00:00Z|${ID}|x`).toString("base64url"))).toBeNull();
  });
});
