/** A page position: the (time, id) of the last item shown, newest first. */
export interface PagePosition {
  at: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a value looks like one of our ids (anything else can match no row). */
export const isId = (value: string) => UUID.test(value);

/** An opaque cursor for the page after `last`. */
export function encodeCursor(last: PagePosition): string {
  return Buffer.from(`${last.at.toISOString()}|${last.id}`).toString("base64url");
}

/** Reads a cursor back; null when it is not one of ours. */
export function decodeCursor(cursor: string): PagePosition | null {
  const [at, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const when = new Date(at ?? "");
  if (extra !== undefined || !id || !isId(id) || Number.isNaN(when.getTime())) return null;
  return { at: when, id };
}
