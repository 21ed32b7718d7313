import { OmsError } from "../../../shared/errors";

/** A reply the caller answers by trying again: counters being rebuilt, or the record changed under it. */
export class RetryScript extends Error {
  constructor(readonly reason: "NOT_READY" | "STALE") {
    super(reason);
  }
}

interface ErrorReply {
  error: string;
  skuId?: string;
  limit?: number;
  used?: number;
  requested?: number;
  available?: number;
  status?: string;
  field?: string;
  remaining?: number;
}

/** Decodes a script's JSON reply; structured errors become OmsError (or RetryScript). `event` names the call in INVALID_TRANSITION. */
export function parseReply<T>(raw: string, reservationId?: string, event = "deduct"): T {
  const reply = JSON.parse(raw) as (T & { ok: true }) | ErrorReply;
  if (!("error" in reply)) return reply as T;
  const { error, skuId } = reply;
  switch (error) {
    case "NOT_READY":
    case "STALE":
      throw new RetryScript(error);
    case "OUT_OF_STOCK":
      throw new OmsError("OUT_OF_STOCK", `SKU ${skuId} is out of stock`, {
        skuId,
        requested: reply.requested,
        available: Math.max(0, reply.available ?? 0),
      });
    case "PURCHASE_LIMIT_EXCEEDED":
      throw new OmsError("PURCHASE_LIMIT_EXCEEDED", `SKU ${skuId} is limited to ${reply.limit} per buyer`, {
        skuId,
        limit: reply.limit,
        used: reply.used,
      });
    case "BUYER_MISMATCH":
      throw new OmsError("CONFLICT", `Reservation ${reservationId} belongs to another buyer`, {
        reservationId,
      });
    case "NOT_FOUND":
      throw new OmsError("NOT_FOUND", `Reservation ${reservationId} not found`, { reservationId });
    case "NOT_HELD":
    case "NOT_DEDUCTED":
      throw new OmsError("INVALID_TRANSITION", `Reservation ${reservationId} is ${reply.status}`, {
        reservationId,
        state: reply.status,
        event,
      });
    case "VALIDATION_FAILED":
      throw new OmsError(
        "VALIDATION_FAILED",
        reply.remaining === undefined
          ? `SKU ${skuId} is not in reservation ${reservationId}`
          : `Reservation ${reservationId} holds ${reply.remaining} of SKU ${skuId}, not ${reply.requested}`,
        {
          field: reply.field,
          skuId,
          ...(reply.remaining === undefined
            ? {}
            : { requested: reply.requested, remaining: reply.remaining }),
        },
      );
    default:
      throw new Error(`Unknown stock script reply: ${error}`);
  }
}

/** Lists in replies: cjson encodes an empty Lua table as `{}`. */
export const asList = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
