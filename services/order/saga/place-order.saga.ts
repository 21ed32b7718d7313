import type { Pool } from "pg";
import type {
  GetSkusResult,
  ReleaseParams,
  ReserveParams,
  ReserveResult,
  SkuInfo,
} from "../../../shared/contracts/inventory.contract";
import type {
  LockParams,
  PriceParams,
  PriceResult,
  UnlockParams,
} from "../../../shared/contracts/promotion.contract";
import type { OrderNumberRequest } from "../../../shared/order-number/counter-blocks";
import { type BeforeStepHook, runSaga } from "../../../shared/saga/saga";
import type { CheckoutCommand } from "../domain/checkout";
import type { ChildOrder, ParentOrder } from "../domain/order";
import type { OrderTimers } from "../domain/order-config";
import type { CheckoutWrite } from "../store/order.repo";
import type { OpenSaga } from "../store/saga.repo";
import { loadSkusStep } from "./steps/load-skus.step";
import { lockPromotionsStep } from "./steps/lock-promotions.step";
import { openSagaStep } from "./steps/open-saga.step";
import { persistOrderStep } from "./steps/persist-order.step";
import { priceCartStep } from "./steps/price-cart.step";
import { reserveStockStep } from "./steps/reserve-stock.step";
import { schedulePaymentTimeoutStep } from "./steps/schedule-payment-timeout.step";

/** What placing an order needs from the world: other services by RPC, the database, numbers, timers. */
export interface PlaceOrderDeps {
  pool: Pool;
  getSkus(skuIds: string[]): Promise<GetSkusResult>;
  price(params: PriceParams): Promise<PriceResult>;
  reserve(params: ReserveParams): Promise<ReserveResult>;
  release(params: ReleaseParams): Promise<unknown>;
  lock(params: LockParams): Promise<unknown>;
  unlock(params: UnlockParams): Promise<unknown>;
  nextNumber(request: OrderNumberRequest): Promise<string>;
  readTimers(orderType: string): Promise<OrderTimers>;
  /** Records the checkout as RUNNING before anything is held (batched with concurrent checkouts). */
  openSaga(saga: OpenSaga): Promise<void>;
  /** Writes the checkout and its events, and deletes its saga row, atomically (batched with concurrent checkouts). */
  writeCheckout(write: CheckoutWrite): Promise<void>;
  schedulePaymentTimeout(parentOrderNo: string, deadline: Date): Promise<void>;
  /** Wakes the outbox relay after a commit. */
  committed(): void;
}

/** The saga's context: the command, and what each step adds. */
export interface PlaceOrderCtx {
  cmd: CheckoutCommand;
  deps: PlaceOrderDeps;
  skus?: Map<string, SkuInfo>;
  price?: PriceResult;
  parentOrderNo?: string;
  orderNoByShop?: Map<string, string>;
  reservations?: ReserveResult[];
  parent?: ParentOrder;
  children?: ChildOrder[];
}

/** The steps in order; those that cannot be undone (the commit, the timer) come last. */
export const PLACE_ORDER_STEPS = [
  loadSkusStep,
  priceCartStep,
  openSagaStep,
  reserveStockStep,
  lockPromotionsStep,
  persistOrderStep,
  schedulePaymentTimeoutStep,
] as const;

/** Places an order: every earlier effect is undone when a step fails. */
export async function placeOrder(
  deps: PlaceOrderDeps,
  cmd: CheckoutCommand,
  beforeStep?: BeforeStepHook,
): Promise<{ parent: ParentOrder; children: ChildOrder[] }> {
  const ctx = await runSaga<PlaceOrderCtx>(PLACE_ORDER_STEPS, { cmd, deps }, beforeStep);
  if (!ctx.parent || !ctx.children) throw new Error("place-order saga ended without an order");
  return { parent: ctx.parent, children: ctx.children };
}

/** A quote: the first two steps, no side effects. */
export async function quoteOrder(deps: PlaceOrderDeps, cmd: CheckoutCommand): Promise<PriceResult> {
  const ctx = await runSaga<PlaceOrderCtx>([loadSkusStep, priceCartStep], { cmd, deps });
  if (!ctx.price) throw new Error("quote ended without a price");
  return ctx.price;
}
