import { assertShopAccess, type Caller } from "../../shared/contracts/caller";
import { OmsError } from "../../shared/errors";

/** A shop's campaigns and coupons are its merchant's (or an admin's); platform ones are admins' only. */
export function assertScopeAccess(caller: Caller, shopId: string | null): void {
  if (shopId !== null) {
    assertShopAccess(caller, shopId);
  } else if (caller.role !== "admin") {
    throw new OmsError("FORBIDDEN", "Platform promotions are managed by the platform", { shopId: null });
  }
}

/** The buyer a quote is for: a buyer only ever prices for themselves; internal callers name the buyer. */
export function quoteBuyerOf(caller: Caller | null | undefined, buyerId: string | undefined): string {
  if (caller?.role === "buyer") {
    if (buyerId !== undefined && buyerId !== caller.userId) {
      throw new OmsError("FORBIDDEN", "A buyer quotes only their own checkout", { buyerId });
    }
    return caller.userId;
  }
  if (!buyerId) throw new OmsError("VALIDATION_FAILED", "buyerId is required", { field: "buyerId" });
  return buyerId;
}
