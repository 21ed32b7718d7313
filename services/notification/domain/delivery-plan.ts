import type { NotificationIntent } from "./event-notifications";
import { type Channel, NODES, type NodeCode, type Rule } from "./nodes";
import { render } from "./placeholders";
import { recipientKey } from "./recipients";

/** One message to send: a (eventId, recipient, channel) triple with its rendered text. */
export interface DeliveryDraft {
  eventId: string;
  node: NodeCode;
  recipient: string;
  channel: Channel;
  title: string;
  text: string;
  orderNo: string | null;
}

/**
 * The deliveries a rule makes of an intent: one per (recipient, channel), every recipient
 * key once (a buyer who is also the shop's merchant still gets two inboxes' worth); none when
 * the rule is disabled or belongs to another node.
 */
export function planDeliveries(intent: NotificationIntent, rule: Rule): DeliveryDraft[] {
  if (!rule.enabled || rule.node !== intent.node) return [];
  const text = render(rule.template, intent.values);
  const title = NODES[intent.node].title;
  const keys = rule.recipients.map((r) => recipientKey(r, intent.audience));
  const recipients = [...new Set(keys.filter((key): key is string => key !== null))];
  return recipients.flatMap((recipient) =>
    rule.channels.map((channel) => ({
      eventId: intent.eventId,
      node: intent.node,
      recipient,
      channel,
      title,
      text,
      orderNo: intent.orderNo,
    })),
  );
}
