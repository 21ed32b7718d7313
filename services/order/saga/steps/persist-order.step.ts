import { newEvent } from "../../../../shared/outbox/outbox";
import type { SagaStep } from "../../../../shared/saga/saga";
import { buildOrders, placedEntry } from "../../domain/order";
import { paymentDeadline } from "../../domain/order-config";
import { ORDER_EVENTS, type OrderPlacedPayload } from "../../order.events";
import type { PlaceOrderCtx } from "../place-order.saga";

/** Persists parent, children, lines, first timeline entries and `order.placed` events in one atomic statement. */
export const persistOrderStep: SagaStep<PlaceOrderCtx, Pick<PlaceOrderCtx, "parent" | "children">, null> = {
  name: "persist-order",
  async invoke(ctx) {
    const { cmd, deps, price, skus, parentOrderNo, orderNoByShop, reservations } = ctx;
    if (!price || !skus || !parentOrderNo || !orderNoByShop || !reservations)
      throw new Error("persist-order ran early");
    const timers = await deps.readTimers(cmd.orderType);
    const { parent, children } = buildOrders({
      parentOrderNo,
      orderNoByShop,
      buyerId: cmd.buyerId,
      sourceChannel: cmd.sourceChannel,
      address: cmd.address,
      invoice: cmd.invoice,
      buyerNote: cmd.buyerNote,
      now: cmd.now,
      timers,
      paymentDeadline: paymentDeadline(
        cmd.now,
        timers,
        price.shops.map((s) => s.paymentTimeoutMs),
      ),
      price,
      skus,
      reservedLines: new Map(reservations.flatMap((r) => r.lines.map((l) => [l.lineId, l] as const))),
      positions: new Map(cmd.lines.map((_l, i) => [`L${i + 1}`, i] as const)),
    });
    await deps.writeCheckout({
      parent,
      children,
      timeline: children.map((child) => ({ orderNo: child.orderNo, entry: placedEntry(child, cmd) })),
      events: children.map((child) =>
        newEvent<OrderPlacedPayload>(
          ORDER_EVENTS.placed,
          {
            orderNo: child.orderNo,
            parentOrderNo,
            buyerId: cmd.buyerId,
            shopId: child.shopId,
            payableMinor: child.amounts.payableMinor,
            paymentDeadline: child.paymentDeadline.toISOString(),
          },
          cmd.now,
        ),
      ),
    });
    deps.committed();
    return { output: { parent, children }, compensation: null };
  },
  async compensate() {},
};
