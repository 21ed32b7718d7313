import type { LogisticsStatus } from "../../../shared/contracts/logistics.contract";
import { OmsError } from "../../../shared/errors";
import { carrierOf } from "../carriers/carrier-registry";
import { normalizeTrackingNo } from "../domain/shipment";
import { waybillConflict } from "../domain/waybill-cancel";
import { findByTrackingNo } from "../store/shipment.repo";
import type { LogisticsDeps } from "./logistics-deps";

/** `POST /sandbox/carriers/{carrier}/waybills/{trackingNo}/events`. */
export interface SandboxEventParams {
  carrier: string;
  trackingNo: string;
  status: LogisticsStatus;
  /** When it happened (ISO-8601); default now. */
  at?: string;
  description?: string;
  /** Extra copies of the webhook, sent at once alongside the first (carriers retry and repeat). */
  duplicates?: number;
  /** Send the webhooks this many milliseconds later instead of before answering. */
  delayMs?: number;
}

const noSuchWaybill = (trackingNo: string) =>
  new OmsError("NOT_FOUND", "No such sandbox waybill", { trackingNo });

function eventTime(at: string | undefined, now: Date): Date {
  if (at === undefined) return now;
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) {
    throw new OmsError("VALIDATION_FAILED", "at must be an ISO-8601 date-time", { field: "at" });
  }
  return new Date(ms);
}

/**
 * Plays the carrier: makes a new tracking event of a waybill and sends it as the carrier's signed
 * webhook (1 + duplicates copies with the same event id) to the callback action, as it would over
 * HTTP. Without `delayMs` the answer carries what each webhook got back. 404 when the sandbox is
 * off or no package has the number; 409 CONFLICT WAYBILL_CANCELLED when the carrier cancelled it.
 */
export async function sandboxEvent(deps: LogisticsDeps, p: SandboxEventParams, now = new Date()) {
  if (!deps.sandboxEnabled) throw noSuchWaybill(p.trackingNo);
  const carrier = carrierOf(p.carrier);
  const sandbox = deps.carriers.sandbox(carrier);
  const shipment = sandbox
    ? await findByTrackingNo(deps.pool, carrier, normalizeTrackingNo(p.trackingNo))
    : null;
  if (!sandbox || !shipment) throw noSuchWaybill(p.trackingNo);
  const cancelledAt = await sandbox.cancelledAt(shipment.trackingNo);
  if (cancelledAt !== null) {
    throw waybillConflict(
      "WAYBILL_CANCELLED",
      "The sandbox carrier cancelled this waybill: it sends no more tracking events",
      shipment,
      { cancelledAt },
    );
  }
  const at = eventTime(p.at, now);
  const { event, document } = sandbox.trackingEvent(shipment.trackingNo, p.status, at, p.description);
  const webhooks = 1 + (p.duplicates ?? 0);
  const answers = await sandbox.deliver(document, webhooks, p.delayMs);
  return {
    carrier,
    trackingNo: shipment.trackingNo,
    eventId: event.eventId,
    status: event.status,
    at: event.at,
    webhooks,
    delayed: p.delayMs !== undefined,
    answers,
  };
}
