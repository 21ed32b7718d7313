import type { SagaStep } from "../../../../shared/saga/saga";
import { deleteSaga } from "../../store/saga.repo";
import type { PlaceOrderCtx } from "../place-order.saga";

/**
 * Numbers the parent and one child per shop, and records the saga before anything is held.
 * Its undo deletes the record once everything after it was undone; when an undo failed, the
 * record stays RUNNING, and the sweeper undoes the checkout again once it is stale.
 */
export const openSagaStep: SagaStep<
  PlaceOrderCtx,
  Pick<PlaceOrderCtx, "parentOrderNo" | "orderNoByShop">,
  { parentOrderNo: string }
> = {
  name: "open-saga",
  async invoke({ cmd, deps, price }) {
    const who = { channel: cmd.sourceChannel, userId: cmd.buyerId };
    const parentOrderNo = await deps.nextNumber({ ...who, type: "PARENT" });
    const orderNoByShop = new Map<string, string>();
    for (const shop of price?.shops ?? []) {
      orderNoByShop.set(shop.shopId, await deps.nextNumber({ ...who, type: cmd.orderType }));
    }
    await deps.openSaga({ parentOrderNo, buyerId: cmd.buyerId, childOrderNos: [...orderNoByShop.values()] });
    return { output: { parentOrderNo, orderNoByShop }, compensation: { parentOrderNo } };
  },
  async compensate({ parentOrderNo }, { deps }, laterUndone) {
    if (laterUndone) await deleteSaga(deps.pool, parentOrderNo);
  },
};
