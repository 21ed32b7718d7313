import type { SagaStep } from "../../../../shared/saga/saga";
import { markCompensated } from "../../store/saga.repo";
import type { PlaceOrderCtx } from "../place-order.saga";

/** Numbers the parent and one child per shop, and records the saga before anything is held. */
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
  async compensate({ parentOrderNo }, { deps }) {
    await markCompensated(deps.pool, parentOrderNo);
  },
};
