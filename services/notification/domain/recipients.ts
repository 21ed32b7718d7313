import type { Caller } from "../../../shared/contracts/caller";
import { OmsError } from "../../../shared/errors";
import type { Recipient } from "./nodes";

/** Who an order's events concern: its buyer and its shop. */
export interface Audience {
  buyerId: string;
  shopId: string;
}

/** The one inbox every operator shares. */
export const OPERATORS_INBOX = "operators";

/** A merchant's inbox is its shop's, so every account of the shop sees the same messages. */
export const shopInbox = (shopId: string) => `shop:${shopId}`;

/**
 * The recipient key of a rule's recipient for an order: buyer id, `shop:<shopId>` or `operators`; null for
 * a buyer or shop when the event concerns no order (no audience).
 */
export function recipientKey(recipient: Recipient, audience: Audience | null): string | null {
  switch (recipient) {
    case "BUYER":
      return audience ? audience.buyerId : null;
    case "MERCHANT":
      return audience ? shopInbox(audience.shopId) : null;
    case "OPERATOR":
      return OPERATORS_INBOX;
  }
}

/** The caller's own inbox: a buyer's user id, a merchant's shop, or the operators'. */
export function inboxOf(caller: Caller): string {
  switch (caller.role) {
    case "buyer":
      return caller.userId;
    case "merchant":
      if (!caller.shopId) throw new OmsError("FORBIDDEN", "A merchant token must name its shop");
      return shopInbox(caller.shopId);
    case "admin":
      return OPERATORS_INBOX;
  }
}
