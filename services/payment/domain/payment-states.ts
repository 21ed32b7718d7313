import type { GuardMap, StateTable } from "../../../shared/state-machine/engine";

/** A payment attempt's states (the contract's PaymentStatus). */
export const PAYMENT_STATES = ["PENDING", "SUCCEEDED", "FAILED", "CLOSED"] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** What can happen to an attempt: the provider's final word on it, or the buyer switching method. */
export const PAYMENT_EVENTS = ["provider.succeeded", "provider.failed", "attempt.replaced"] as const;
export type PaymentEvent = (typeof PAYMENT_EVENTS)[number];

export type PaymentGuard = "paidByAnotherAttempt";
export type PaymentEffect =
  | "recordPaid"
  | "emitSucceeded"
  | "closeOtherAttempts"
  | "markDuplicate"
  | "refundDuplicate"
  | "emitFailed";

/** Facts gathered under the checkout's lock before applying a provider result. */
export interface PaymentFacts {
  readonly paidByAnotherAttempt: boolean;
}

export const PAYMENT_GUARDS: GuardMap<PaymentGuard, PaymentFacts> = {
  paidByAnotherAttempt: (facts) => facts.paidByAnotherAttempt,
};

// Money arrived: it pays the checkout, unless another attempt already did - then it is refunded.
const succeed = [
  {
    to: "SUCCEEDED",
    guard: "paidByAnotherAttempt",
    effects: ["recordPaid", "markDuplicate", "refundDuplicate"],
  },
  { to: "SUCCEEDED", effects: ["recordPaid", "emitSucceeded", "closeOtherAttempts"] },
] as const;

/**
 * The payment attempt's table. Success is final (money arrived): a FAIL after it, or a second
 * success, is an explicit self-row that changes nothing. A success after FAILED or CLOSED still pays.
 */
export const PAYMENT_TABLE: StateTable<PaymentState, PaymentEvent, PaymentGuard, PaymentEffect> = {
  name: "PAYMENT",
  version: "PAYMENT@1",
  initial: "PENDING",
  states: PAYMENT_STATES,
  events: PAYMENT_EVENTS,
  transitions: {
    PENDING: {
      "provider.succeeded": succeed,
      "provider.failed": { to: "FAILED", effects: ["emitFailed"] },
      "attempt.replaced": { to: "CLOSED" },
    },
    FAILED: {
      "provider.succeeded": succeed,
      "provider.failed": { to: "FAILED" },
      "attempt.replaced": { to: "CLOSED" },
    },
    CLOSED: { "provider.succeeded": succeed, "provider.failed": { to: "CLOSED" } },
    SUCCEEDED: { "provider.succeeded": { to: "SUCCEEDED" }, "provider.failed": { to: "SUCCEEDED" } },
  },
};

/** A refund's states (the contract's RefundStatus). */
export const REFUND_STATES = ["PENDING", "SUCCEEDED", "FAILED"] as const;
export type RefundState = (typeof REFUND_STATES)[number];
export const REFUND_EVENTS = ["provider.succeeded", "provider.failed"] as const;
export type RefundEvent = (typeof REFUND_EVENTS)[number];
export type RefundEffect = "emitRefundSucceeded" | "emitRefundFailed" | "releaseAmount" | "reclaimAmount";

/**
 * A refund's table. A failed refund gives its amount back to the refundable balance; a success that
 * arrives after a failure (out of order) takes it again - money left, so success is final here too.
 */
export const REFUND_TABLE: StateTable<RefundState, RefundEvent, never, RefundEffect> = {
  name: "REFUND",
  version: "REFUND@1",
  initial: "PENDING",
  states: REFUND_STATES,
  events: REFUND_EVENTS,
  transitions: {
    PENDING: {
      "provider.succeeded": { to: "SUCCEEDED", effects: ["emitRefundSucceeded"] },
      "provider.failed": { to: "FAILED", effects: ["releaseAmount", "emitRefundFailed"] },
    },
    SUCCEEDED: { "provider.succeeded": { to: "SUCCEEDED" }, "provider.failed": { to: "SUCCEEDED" } },
    FAILED: {
      "provider.succeeded": { to: "SUCCEEDED", effects: ["reclaimAmount", "emitRefundSucceeded"] },
      "provider.failed": { to: "FAILED" },
    },
  },
};
