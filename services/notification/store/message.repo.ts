import type { Queryable } from "../../../shared/db/pool";
import type { PagePosition } from "../domain/cursor";
import type { NodeCode } from "../domain/nodes";

/** An in-app message as its recipient sees it. */
export interface InboxMessage {
  id: string;
  node: NodeCode;
  title: string;
  text: string;
  orderNo: string | null;
  createdAt: Date;
  readAt: Date | null;
}

interface MessageRow {
  id: string;
  node: NodeCode;
  title: string;
  text: string;
  order_no: string | null;
  created_at: Date;
  read_at: Date | null;
}

const toMessage = (r: MessageRow): InboxMessage => ({
  id: r.id,
  node: r.node,
  title: r.title,
  text: r.text,
  orderNo: r.order_no,
  createdAt: r.created_at,
  readAt: r.read_at,
});

const COLUMNS = "id, node, title, text, order_no, created_at, read_at";

/** One page of a recipient's inbox, newest first; one row more than asked tells of a next page. */
export async function readInbox(
  q: Queryable,
  recipient: string,
  opts: { unreadOnly: boolean; limit: number; after: PagePosition | null },
): Promise<InboxMessage[]> {
  const { rows } = await q.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages
     WHERE recipient = $1 AND ($2::boolean IS FALSE OR read_at IS NULL)
       AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [recipient, opts.unreadOnly, opts.limit + 1, opts.after?.at ?? null, opts.after?.id ?? null],
  );
  return rows.map(toMessage);
}

/** How many of the recipient's messages are unread. */
export async function countUnread(q: Queryable, recipient: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM messages WHERE recipient = $1 AND read_at IS NULL",
    [recipient],
  );
  return rows[0]?.n ?? 0;
}

/** Marks the recipient's message read (the first read time stays); null when it is not theirs. */
export async function markMessageRead(
  q: Queryable,
  id: string,
  recipient: string,
  now: Date,
): Promise<InboxMessage | null> {
  const { rows } = await q.query<MessageRow>(
    `UPDATE messages SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND recipient = $2 RETURNING ${COLUMNS}`,
    [id, recipient, now],
  );
  return rows[0] ? toMessage(rows[0]) : null;
}
