import type { ExternalChannel } from "../domain/nodes";

/** One message handed to a channel: the delivery id doubles as the provider's client message id. */
export interface OutgoingMessage {
  deliveryId: string;
  channel: ExternalChannel;
  /** A buyer id, `shop:<shopId>` or `operators`; a real adapter resolves it to a phone, device or openid. */
  recipient: string;
  title: string;
  text: string;
  /** Which attempt this is, 1-based. */
  attempt: number;
}

/** A notification channel (app push, SMS, WeChat template message): resolves, or throws to be retried. */
export interface ChannelAdapter {
  send(message: OutgoingMessage): Promise<void>;
}

/** The adapter of every channel sent after commit (IN_APP is written with the delivery itself). */
export type ChannelAdapters = Record<ExternalChannel, ChannelAdapter>;
