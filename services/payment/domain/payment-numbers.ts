import type { OrderNumberRequest } from "../../../shared/order-number/counter-blocks";
import { parseOrderNumber } from "../../../shared/order-number/order-number";

/**
 * The request for a payment or refund number: same source channel as the checkout and the buyer's
 * tail, so the number routes to the buyer's shard like the order numbers do.
 */
export function numberRequest(
  parentOrderNo: string,
  buyerId: string,
  type: "PAYMENT" | "REFUND",
): OrderNumberRequest {
  return { channel: parseOrderNumber(parentOrderNo).channel, type, userId: buyerId };
}
