import { OmsError } from "../../../shared/errors";
import { SIGNATURE_HEADER, verifySignature } from "../../../shared/webhooks/signature";
import { CARRIER_FORMATS, carrierOf } from "../carriers/carrier-registry";
import { applyTrackingEvent, type WebhookAnswer } from "./apply-tracking-event";
import type { LogisticsDeps } from "./logistics-deps";

/**
 * `logistics.callback`: a carrier's tracking webhook. Verify the signature over the exact raw body
 * with the carrier's configured key (401 INVALID_SIGNATURE, nothing stored), read it in the
 * carrier's format (400 naming the field), then apply it once through the inbox.
 */
export async function handleCarrierWebhook(
  deps: LogisticsDeps,
  carrierCode: string,
  document: { rawBody?: string | null; signature?: string | null },
): Promise<WebhookAnswer> {
  const carrier = carrierOf(carrierCode);
  const { rawBody, signature } = document;
  if (typeof rawBody !== "string" || !verifySignature(deps.secrets[carrier], rawBody, signature)) {
    throw new OmsError("INVALID_SIGNATURE", "Missing or wrong carrier signature", {
      header: SIGNATURE_HEADER,
    });
  }
  return applyTrackingEvent(deps, carrier, CARRIER_FORMATS[carrier].decode(rawBody), rawBody);
}
