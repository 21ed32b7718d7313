import type { SagaStep } from "../../../../shared/saga/saga";
import type { PlaceOrderCtx } from "../place-order.saga";

/**
 * Arms the payment timeout. The order is already committed, so a failure
 * here must not fail the checkout: the sweeper closes overdue orders anyway.
 */
export const schedulePaymentTimeoutStep: SagaStep<PlaceOrderCtx, Record<string, never>, null> = {
  name: "schedule-payment-timeout",
  async invoke({ deps, parent }) {
    if (parent)
      await deps.schedulePaymentTimeout(parent.parentOrderNo, parent.paymentDeadline).catch(() => undefined);
    return { output: {}, compensation: null };
  },
  async compensate() {},
};
