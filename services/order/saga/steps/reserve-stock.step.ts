import type { ReserveResult } from "../../../../shared/contracts/inventory.contract";
import { type SagaStep, undoThenRethrow } from "../../../../shared/saga/saga";
import type { PlaceOrderCtx } from "../place-order.saga";

/** Reserves (or checks) stock per child order; on a partial failure it releases what it took before rethrowing. */
export const reserveStockStep: SagaStep<
  PlaceOrderCtx,
  Pick<PlaceOrderCtx, "reservations">,
  { reservationIds: string[] }
> = {
  name: "reserve-stock",
  async invoke({ cmd, deps, price, orderNoByShop }) {
    const reservations: ReserveResult[] = [];
    try {
      for (const shop of price?.shops ?? []) {
        const reservationId = orderNoByShop?.get(shop.shopId) ?? "";
        reservations.push(
          await deps.reserve({
            reservationId,
            buyerId: cmd.buyerId,
            province: cmd.address.province,
            lines: shop.lines.map((l) => ({
              lineId: l.lineId,
              skuId: l.skuId,
              quantity: l.quantity,
              strategy: l.deductionStrategy,
            })),
          }),
        );
      }
    } catch (err) {
      await undoThenRethrow(err, () => releaseAll(deps, [...(orderNoByShop?.values() ?? [])]));
    }
    return {
      output: { reservations },
      compensation: { reservationIds: reservations.map((r) => r.reservationId) },
    };
  },
  async compensate({ reservationIds }, { deps }) {
    await releaseAll(deps, reservationIds);
  },
};

async function releaseAll(deps: PlaceOrderCtx["deps"], reservationIds: string[]): Promise<void> {
  for (const reservationId of reservationIds)
    await deps.release({ reservationId, reason: "CHECKOUT_FAILED" });
}
