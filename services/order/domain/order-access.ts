import type { Caller } from "../../../shared/contracts/caller";
import { OmsError } from "../../../shared/errors";
import type { ChildOrder } from "./order";

/** A buyer sees only their orders, a merchant only its shop's; for anyone else the order does not exist (404). */
export function canSee(caller: Caller, order: Pick<ChildOrder, "buyerId" | "shopId">): boolean {
  if (caller.role === "admin") return true;
  if (caller.role === "buyer") return order.buyerId === caller.userId;
  return order.shopId === caller.shopId;
}

export function assertCanSee(
  caller: Caller,
  order: Pick<ChildOrder, "orderNo" | "buyerId" | "shopId">,
): void {
  if (!canSee(caller, order)) throw new OmsError("NOT_FOUND", "Order not found", { orderNo: order.orderNo });
}

/** Who may cancel before payment: the buyer, the shop's merchant, or an operator. */
export function assertCanCancel(caller: Caller, order: ChildOrder): void {
  assertCanSee(caller, order);
}

/** Price changes are the shop's (or an operator's). */
export function assertCanAdjustPrice(caller: Caller, order: ChildOrder): void {
  assertCanSee(caller, order);
  if (caller.role === "buyer")
    throw new OmsError("FORBIDDEN", "Only the shop changes prices", { orderNo: order.orderNo });
}

/** Address changes are the buyer's (or an operator's for customer service), until a package ships. */
export function assertCanChangeAddress(caller: Caller, order: ChildOrder): void {
  assertCanSee(caller, order);
  if (caller.role === "merchant") {
    throw new OmsError("FORBIDDEN", "Only the buyer changes the address", { orderNo: order.orderNo });
  }
  if (order.shippedAt !== null) {
    throw new OmsError("ORDER_ALREADY_SHIPPED", "A package has shipped: the address can no longer change", {
      orderNo: order.orderNo,
      state: order.status,
    });
  }
}
