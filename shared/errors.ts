import { Errors } from "moleculer";

/**
 * The one catalogue of error types and their HTTP status. Callers branch on
 * `err.type` (classes do not survive the transporter); the gateway renders
 * `{error: {code: type, message, details}}` with this status.
 */
export const ERROR_CATALOGUE = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  INVALID_SIGNATURE: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  REQUEST_IN_PROGRESS: 409,
  CONFLICT: 409,
  ALREADY_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION_FAILED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  OUT_OF_STOCK: 422,
  PURCHASE_LIMIT_EXCEEDED: 422,
  SKU_NOT_FOUND: 422,
  SKU_OFF_SALE: 422,
  WAREHOUSE_NOT_FOUND: 422,
  COUPON_NOT_FOUND: 422,
  COUPON_UNAVAILABLE: 422,
  COUPON_EXPIRED: 422,
  COUPON_NOT_APPLICABLE: 422,
  COUPON_THRESHOLD_NOT_MET: 422,
  COUPON_LIMIT_EXCEEDED: 422,
  INSUFFICIENT_COINS: 422,
  COINS_OVER_CAP: 422,
  PAYABLE_NEGATIVE: 422,
  AMOUNT_MISMATCH: 422,
  REFUND_EXCEEDS_PAID: 422,
  PAYMENT_NOT_FOUND: 404,
  PACKAGE_NOT_FOUND: 404,
  PACKAGE_ALREADY_SHIPPED: 409,
  PACKAGE_INTERCEPTED: 409,
  ORDER_ALREADY_SHIPPED: 409,
  ALREADY_REVIEWED: 409,
  AFTER_SALES_WINDOW_CLOSED: 409,
  TRACKING_NO_IN_USE: 409,
  CARRIER_UNKNOWN: 422,
  TRACKING_NO_INVALID: 422,
  CARRIER_REQUIRED: 422,
  WAYBILL_UNAVAILABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorType = keyof typeof ERROR_CATALOGUE;
export type ErrorDetails = Record<string, unknown>;

/** The error base of every domain and API error. */
export class OmsError extends Errors.MoleculerClientError {
  constructor(type: ErrorType, message: string, details: ErrorDetails = {}) {
    super(message, ERROR_CATALOGUE[type], type, details);
  }
}

export const notFound = (what: string, details: ErrorDetails = {}) =>
  new OmsError("NOT_FOUND", `${what} not found`, details);

export const validationFailed = (field: string, message: string, details: ErrorDetails = {}) =>
  new OmsError("VALIDATION_FAILED", message, { field, ...details });

export interface ErrorBody {
  status: number;
  body: { error: { code: string; message: string; details: ErrorDetails } };
}

/** Moleculer's own validation error: `data` is the list of failed checks. */
function isMoleculerValidation(err: {
  type?: string;
  data?: unknown;
}): err is { type: string; data: { field?: string; message?: string }[] } {
  return err.type === "VALIDATION_ERROR" && Array.isArray(err.data);
}

/**
 * Maps any thrown value to the API's error body. Known types keep their code
 * and details; Moleculer validation errors become VALIDATION_FAILED naming the
 * field; anything else is a generic 500 (the caller logs the original).
 */
export function toErrorBody(err: unknown): ErrorBody {
  const e = (err ?? {}) as { type?: string; message?: string; data?: unknown; code?: number };
  if (isMoleculerValidation(e)) {
    const first = e.data[0] ?? {};
    return {
      status: 422,
      body: {
        error: {
          code: "VALIDATION_FAILED",
          message: first.message ?? "Validation failed",
          details: {
            field: first.field,
            errors: e.data.map((d) => ({ field: d.field, message: d.message })),
          },
        },
      },
    };
  }
  if (e.type && e.type in ERROR_CATALOGUE) {
    const details = e.data && typeof e.data === "object" ? (e.data as ErrorDetails) : {};
    return {
      status: ERROR_CATALOGUE[e.type as ErrorType],
      body: { error: { code: e.type, message: e.message ?? e.type, details } },
    };
  }
  if (e.type === "REQUEST_TIMEOUT" || e.type === "SERVICE_NOT_AVAILABLE" || e.type === "SERVICE_NOT_FOUND") {
    return {
      status: 503,
      body: {
        error: { code: "SERVICE_UNAVAILABLE", message: "A service is unavailable, try again", details: {} },
      },
    };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message: "Internal error", details: {} } } };
}
