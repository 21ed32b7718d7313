import type { SagaStep } from "../../../../shared/saga/saga";
import { pricingLines } from "../../domain/checkout";
import type { PlaceOrderCtx } from "../place-order.saga";

/** Prices the cart with the promotion service (DOMAIN.md 7); no side effects. */
export const priceCartStep: SagaStep<PlaceOrderCtx, Pick<PlaceOrderCtx, "price">, null> = {
  name: "price-cart",
  async invoke({ cmd, deps, skus }) {
    const price = await deps.price({
      buyerId: cmd.buyerId,
      lines: pricingLines(cmd.lines, skus ?? new Map()),
      couponIds: cmd.couponIds,
      coins: cmd.coins,
      at: cmd.now.toISOString(),
    });
    return { output: { price }, compensation: null };
  },
  async compensate() {},
};
