import { type SagaStep, undoThenRethrow } from "../../../../shared/saga/saga";
import type { PlaceOrderCtx } from "../place-order.saga";

/** Locks the coupons and holds the coins of the checkout under the parent order number. */
export const lockPromotionsStep: SagaStep<PlaceOrderCtx, Record<string, never>, { lockId: string }> = {
  name: "lock-promotions",
  async invoke({ cmd, deps, price, parentOrderNo }) {
    const couponIds = price?.couponIds ?? [];
    const coins = price?.coinsUsed ?? 0;
    if (couponIds.length === 0 && coins === 0) return { output: {}, compensation: null };
    const lockId = parentOrderNo ?? "";
    try {
      await deps.lock({ lockId, buyerId: cmd.buyerId, couponIds, coins });
    } catch (err) {
      // The lock may have happened with its answer lost: unlock is idempotent and a no-op when nothing is held.
      await undoThenRethrow(err, () => deps.unlock({ lockId, reason: "CHECKOUT_FAILED" }));
    }
    return { output: {}, compensation: { lockId } };
  },
  async compensate({ lockId }, { deps }) {
    await deps.unlock({ lockId, reason: "CHECKOUT_FAILED" });
  },
};
