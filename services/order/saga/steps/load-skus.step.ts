import type { SagaStep } from "../../../../shared/saga/saga";
import { assertCheckoutRules, pricingLines } from "../../domain/checkout";
import type { PlaceOrderCtx } from "../place-order.saga";

/** Loads the cart's SKUs and checks them (exist, on sale, within the purchase limit); changes nothing. */
export const loadSkusStep: SagaStep<PlaceOrderCtx, Pick<PlaceOrderCtx, "skus">, null> = {
  name: "load-skus",
  async invoke({ cmd, deps }) {
    assertCheckoutRules(cmd);
    const { items } = await deps.getSkus(cmd.lines.map((l) => l.skuId));
    const skus = new Map(items.map((s) => [s.skuId, s]));
    pricingLines(cmd.lines, skus);
    return { output: { skus }, compensation: null };
  },
  async compensate() {},
};
