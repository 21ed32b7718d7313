import type { Caller } from "../../../shared/contracts/caller";
import { notFound, validationFailed } from "../../../shared/errors";
import { decodeCursor, encodeCursor, isId, type PagePosition } from "../domain/cursor";
import { inboxOf } from "../domain/recipients";
import { countUnread, type InboxMessage, markMessageRead, readInbox } from "../store/message.repo";
import type { NotificationDeps } from "./notification-deps";

/** A list page as API.md shapes it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;

/** The page position a client's cursor names; 422 naming `cursor` when it is not one of ours. */
export function positionOf(cursor: string | undefined): PagePosition | null {
  if (cursor === undefined || cursor === "") return null;
  const position = decodeCursor(cursor);
  if (!position) throw validationFailed("cursor", "cursor is not valid");
  return position;
}

/** Cuts the one extra row a page query reads into the page and its next cursor. */
export function toPage<T, R>(
  rows: T[],
  limit: number,
  positionOfRow: (row: T) => PagePosition,
  present: (row: T) => R,
): Page<R> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor(positionOfRow(last)) : null,
  };
}

const present = (m: InboxMessage) => ({
  id: m.id,
  node: m.node,
  title: m.title,
  text: m.text,
  orderNo: m.orderNo,
  createdAt: m.createdAt.toISOString(),
  readAt: m.readAt?.toISOString() ?? null,
});

/** GET /me/messages: the caller's inbox (a merchant's is its shop's, an operator's the operators'), newest first. */
export async function myMessages(
  deps: NotificationDeps,
  caller: Caller,
  p: { unread?: boolean; limit?: number; cursor?: string },
) {
  const limit = p.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await readInbox(deps.pool, inboxOf(caller), {
    unreadOnly: p.unread === true,
    limit,
    after: positionOf(p.cursor),
  });
  return toPage(rows, limit, (m) => ({ at: m.createdAt, id: m.id }), present);
}

/** GET /me/messages/unread-count. */
export async function unreadCount(deps: NotificationDeps, caller: Caller) {
  return { count: await countUnread(deps.pool, inboxOf(caller)) };
}

/** POST /me/messages/{id}/read: idempotent; someone else's (or no such) message is 404. */
export async function markRead(deps: NotificationDeps, caller: Caller, id: string) {
  const message = isId(id) ? await markMessageRead(deps.pool, id, inboxOf(caller), new Date()) : null;
  if (!message) throw notFound("Message", { id });
  return present(message);
}
