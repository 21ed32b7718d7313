import { validationFailed } from "../../../shared/errors";
import { allocate } from "../../../shared/money";
import { shopCouponsOf } from "./holds";
import type { ChildOrder, OrderLine } from "./order";
import { fundedShares, type RefundedLine } from "./settlement";

/** Units of one line to refund now. */
export interface RefundRequestLine {
  lineId: string;
  quantity: number;
}

export interface RefundPlanInput {
  /** Lines carry paidMinor, unitPaidMinor, allocations, and what earlier refunds took (refundedQuantity, refundedMinor). */
  order: ChildOrder;
  /** Units to refund now. */
  request: RefundRequestLine[];
  /** Coins this child used (its share of the checkout's coins, as holds.ts computes it). */
  childCoins: number;
  /** Coins already given back by earlier refunds of this child. */
  coinsReturned: number;
  /** Any package of the order handed over to a carrier. */
  shipped: boolean;
  /** This child is the last of its checkout still holding the platform coupon (its siblings closed or fully refunded). */
  holdsPlatformCoupon: boolean;
}

/**
 * One line of a refund: what its refunded units paid, their share of the line's coins deduction, and the
 * discount shares they reverse by funder (for settlement).
 */
export interface RefundPlanLine extends RefundedLine {
  coinsMinor: number;
}

export interface RefundPlan {
  lines: RefundPlanLine[];
  /** Sum of the line amounts. */
  goodsMinor: number;
  /** The order's shipping fee, only when the whole child order is refunded before shipment. */
  shippingMinor: number;
  /** goodsMinor + shippingMinor. */
  totalMinor: number;
  /** Coins to credit back, pro rata to the coins deduction refunded so far. */
  coins: number;
  /** Coupons to give back: only on a whole refund before shipment (shop coupons; the platform one when held). */
  couponIds: string[];
  /** After this refund every unit of every line is refunded. */
  wholeOrder: boolean;
}

/** Per line, the units not refunded yet. */
export function refundableUnits(order: Pick<ChildOrder, "lines">): Map<string, number> {
  return new Map(order.lines.map((line) => [line.lineId, line.quantity - line.refundedQuantity]));
}

/**
 * What a refund of `request` gives back, from the allocation stored at checkout (never recomputed): each line
 * refunds its next unrefunded units at what they paid, a line refunded to its last unit returns exactly what
 * remains of its paidMinor, coins come back pro rata (exact over any sequence), and shipping and coupons only
 * when the refund completes the whole child order before shipment (DOMAIN.md 6.3).
 */
export function planRefund(input: RefundPlanInput): RefundPlan {
  const { order } = input;
  const requested = validatedRequest(order, input.request);
  const lines = input.request.map((asked): RefundPlanLine => {
    const line = requested.get(asked.lineId) as OrderLine;
    const from = line.refundedQuantity;
    const to = from + asked.quantity;
    const left = Math.max(0, line.paidMinor - line.refundedMinor);
    const unitsPaid = sumRange(line.unitPaidMinor, from, to);
    return {
      lineId: line.lineId,
      quantity: asked.quantity,
      amountMinor: to === line.quantity ? left : Math.min(unitsPaid, left),
      coinsMinor: sumRange(unitCoinsMinor(line), from, to),
      ...fundedShares(line, from, to),
    };
  });
  const wholeOrder = order.lines.every(
    (line) => line.refundedQuantity + quantityOf(input.request, line.lineId) === line.quantity,
  );
  const goodsMinor = lines.reduce((sum, line) => sum + line.amountMinor, 0);
  const beforeShipment = wholeOrder && !input.shipped;
  const shippingMinor = beforeShipment ? order.amounts.shippingFeeMinor : 0;
  return {
    lines,
    goodsMinor,
    shippingMinor,
    totalMinor: goodsMinor + shippingMinor,
    coins: coinsBack(input, lines, wholeOrder),
    couponIds: beforeShipment ? couponsBack(order, input.holdsPlatformCoupon) : [],
    wholeOrder,
  };
}

/** The order once `plan` is refunded: refunded units and amounts advanced per line and in the amounts (pure). */
export function applyRefund(order: ChildOrder, plan: RefundPlan): ChildOrder {
  const byLine = new Map(plan.lines.map((line) => [line.lineId, line]));
  return {
    ...order,
    amounts: { ...order.amounts, refundedMinor: order.amounts.refundedMinor + plan.totalMinor },
    lines: order.lines.map((line) => {
      const refunded = byLine.get(line.lineId);
      if (!refunded) return line;
      return {
        ...line,
        refundedQuantity: line.refundedQuantity + refunded.quantity,
        refundedMinor: line.refundedMinor + refunded.amountMinor,
      };
    }),
  };
}

// Unknown lines, non-positive or fractional quantities, a line twice and more units than remain are refused,
// naming the request field.
function validatedRequest(order: ChildOrder, request: readonly RefundRequestLine[]): Map<string, OrderLine> {
  if (request.length === 0) throw validationFailed("lines", "A refund names at least one line");
  const byId = new Map(order.lines.map((line) => [line.lineId, line]));
  const requested = new Map<string, OrderLine>();
  request.forEach((asked, index) => {
    const line = byId.get(asked.lineId);
    const field = `lines[${index}]`;
    if (!line) {
      throw validationFailed(`${field}.lineId`, `Line ${asked.lineId} is not in order ${order.orderNo}`, {
        lineId: asked.lineId,
      });
    }
    if (requested.has(asked.lineId)) {
      throw validationFailed(`${field}.lineId`, `Line ${asked.lineId} is listed twice`, {
        lineId: asked.lineId,
      });
    }
    if (!Number.isSafeInteger(asked.quantity) || asked.quantity < 1) {
      throw validationFailed(`${field}.quantity`, "quantity must be a positive integer", {
        quantity: asked.quantity,
      });
    }
    const remaining = line.quantity - line.refundedQuantity;
    if (asked.quantity > remaining) {
      throw validationFailed(
        `${field}.quantity`,
        `Only ${remaining} units of ${asked.lineId} remain refundable`,
        {
          remaining,
        },
      );
    }
    requested.set(asked.lineId, line);
  });
  return requested;
}

const quantityOf = (request: readonly RefundRequestLine[], lineId: string) =>
  request.find((asked) => asked.lineId === lineId)?.quantity ?? 0;

const sumRange = (values: readonly number[], from: number, to: number) =>
  values.slice(from, to).reduce((sum, value) => sum + value, 0);

const coinsDeductionOf = (line: OrderLine) =>
  line.allocations
    .filter((share) => share.kind === "COINS")
    .reduce((sum, share) => sum + share.amountMinor, 0);

/** The line's coins deduction split over its units by largest remainder (earlier units take the odd fen). */
const unitCoinsMinor = (line: OrderLine) =>
  allocate(
    coinsDeductionOf(line),
    Array.from({ length: line.quantity }, () => 1),
  );

// With C the child's coins and M its coins deduction, the coins returned after refunding m of M are
// floor(C * m / M): each refund gives the difference, so any sequence returns exactly C once all is refunded.
function coinsBack(input: RefundPlanInput, lines: readonly RefundPlanLine[], wholeOrder: boolean): number {
  const total = input.order.lines.reduce((sum, line) => sum + coinsDeductionOf(line), 0);
  const left = Math.max(0, input.childCoins - input.coinsReturned);
  if (total === 0) return wholeOrder ? left : 0;
  const before = input.order.lines.reduce(
    (sum, line) => sum + sumRange(unitCoinsMinor(line), 0, line.refundedQuantity),
    0,
  );
  const after = before + lines.reduce((sum, line) => sum + line.coinsMinor, 0);
  const dueSoFar = Number((BigInt(input.childCoins) * BigInt(after)) / BigInt(total));
  return Math.min(left, Math.max(0, dueSoFar - input.coinsReturned));
}

// A child's shop coupons are its own; the platform coupon comes back only with the last child holding it.
function couponsBack(order: ChildOrder, holdsPlatformCoupon: boolean): string[] {
  const platform = holdsPlatformCoupon
    ? order.lines.flatMap((line) =>
        line.allocations.filter((share) => share.kind === "PLATFORM_COUPON").map((share) => share.sourceId),
      )
    : [];
  return [...new Set([...shopCouponsOf(order), ...platform])];
}
