import type { Pool } from "pg";
import type { ShopPrice } from "../../../shared/contracts/promotion.contract";
import { withTransaction } from "../../../shared/db/pool";
import { recordEvent } from "../../../shared/outbox/outbox";
import { type ActorRole, apply, type FieldChange } from "../../../shared/state-machine/engine";
import { type Address, amountsAddUp, type ChildOrder } from "../domain/order";
import { STANDARD_ORDER_GUARDS, STANDARD_ORDER_TABLE } from "../domain/order-states";
import { ORDER_EVENTS, type OrderAddressChangedPayload } from "../order.events";
import { appendTimeline, findOrder, updateLinePrices, updateOrder } from "../store/order.repo";

/** Who edits, when. */
export interface EditContext {
  actor: string;
  role: ActorRole;
  requestId: string | null;
  now: Date;
  /** Throws when the caller may not edit this order (checked under the row lock). */
  authorize: (order: ChildOrder) => void;
}

async function editOrder(
  pool: Pool,
  orderNo: string,
  event: "address.changed" | "price.changed",
  ctx: EditContext,
  edit: (order: ChildOrder) => Promise<FieldChange[]>,
): Promise<ChildOrder> {
  return withTransaction(pool, async (tx) => {
    const order = await findOrder(tx, orderNo, true);
    if (!order) throw new Error("order vanished under its lock");
    ctx.authorize(order);
    // Check the state before the edit's own work (an RPC for a reprice) is done.
    const result = apply(STANDARD_ORDER_TABLE, order.status, event, {
      ...ctx,
      facts: {},
      guards: STANDARD_ORDER_GUARDS,
    });
    const changes = await edit(order);
    await updateOrder(tx, order);
    if (event === "price.changed") await updateLinePrices(tx, order);
    await appendTimeline(tx, order.orderNo, [{ ...result.timelineEntry, changes }]);
    if (event === "price.changed") {
      await recordEvent(
        tx,
        ORDER_EVENTS.priceChanged,
        { orderNo, parentOrderNo: order.parentOrderNo },
        ctx.now,
      );
    } else {
      const changed: OrderAddressChangedPayload = {
        orderNo,
        parentOrderNo: order.parentOrderNo,
        address: order.address,
      };
      await recordEvent(tx, ORDER_EVENTS.addressChanged, changed, ctx.now);
    }
    return order;
  });
}

/** Changes the receiver before shipment; the timeline keeps the address before and after. */
export function changeAddress(
  pool: Pool,
  orderNo: string,
  address: Address,
  ctx: EditContext,
): Promise<ChildOrder> {
  return editOrder(pool, orderNo, "address.changed", ctx, async (order) => {
    const before = order.address;
    order.address = address;
    return [{ field: "address", before, after: address }];
  });
}

/** A merchant's price change before payment: the repriced shop price replaces lines and amounts. */
export function adjustPrice(
  pool: Pool,
  orderNo: string,
  reprice: (order: ChildOrder) => Promise<ShopPrice>,
  ctx: EditContext,
): Promise<ChildOrder> {
  return editOrder(pool, orderNo, "price.changed", ctx, async (order) => {
    const before = {
      payableMinor: order.amounts.payableMinor,
      lines: order.lines.map((l) => [l.lineId, l.unitPriceMinor]),
    };
    const repriced = await reprice(order);
    const byLine = new Map(repriced.lines.map((l) => [l.lineId, l]));
    for (const line of order.lines) {
      const next = byLine.get(line.lineId);
      if (!next) continue;
      line.unitPriceMinor = next.unitPriceMinor;
      line.allocations = next.allocations;
      line.paidMinor = next.paidMinor;
      line.unitPaidMinor = next.unitPaidMinor;
    }
    const adjustment = order.lines.reduce(
      (sum, l) =>
        sum +
        l.allocations.filter((a) => a.kind === "PRICE_ADJUSTMENT").reduce((s, a) => s + a.amountMinor, 0),
      0,
    );
    order.amounts = {
      ...order.amounts,
      ...repriced.amounts,
      priceAdjustmentMinor: adjustment,
    };
    if (!amountsAddUp(order))
      throw new Error(`repriced amounts of ${orderNo} do not add up; nothing changed`);
    const after = {
      payableMinor: order.amounts.payableMinor,
      lines: order.lines.map((l) => [l.lineId, l.unitPriceMinor]),
    };
    return [{ field: "price", before, after }];
  });
}
