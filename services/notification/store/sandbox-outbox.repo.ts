import type { Queryable } from "../../../shared/db/pool";

/** What a sandbox adapter would have sent. */
export interface SandboxSend {
  deliveryId: string;
  channel: string;
  recipient: string;
  text: string;
  sentAt: Date;
}

/** Records sends once per delivery (a real provider dedupes on the client message id the same way). */
export async function recordSandboxSends(q: Queryable, sends: SandboxSend[]) {
  await q.query(
    `INSERT INTO sandbox_outbox (delivery_id, channel, recipient, text, sent_at)
     SELECT s."deliveryId", s.channel, s.recipient, s.text, s."sentAt"
     FROM jsonb_to_recordset($1::jsonb) AS s("deliveryId" uuid, channel text, recipient text, text text,
       "sentAt" timestamptz)
     ON CONFLICT (delivery_id) DO NOTHING`,
    [JSON.stringify(sends)],
  );
}

/** What was sent to a recipient, oldest first (for operators and tests). */
export async function sandboxSendsTo(q: Queryable, recipient: string): Promise<SandboxSend[]> {
  const { rows } = await q.query<{
    delivery_id: string;
    channel: string;
    recipient: string;
    text: string;
    sent_at: Date;
  }>("SELECT * FROM sandbox_outbox WHERE recipient = $1 ORDER BY sent_at, id", [recipient]);
  return rows.map((r) => ({
    deliveryId: r.delivery_id,
    channel: r.channel,
    recipient: r.recipient,
    text: r.text,
    sentAt: r.sent_at,
  }));
}
