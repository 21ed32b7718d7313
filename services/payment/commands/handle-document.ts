import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { OmsError } from "../../../shared/errors";
import { SIGNATURE_HEADER, verifySignature } from "../../../shared/webhooks/signature";
import type { NoticeSource } from "../domain/notice";
import { PROVIDER_FORMATS } from "../providers/provider-registry";
import { applyPaymentNotice } from "./apply-payment-notice";
import { applyRefundNotice } from "./apply-refund-notice";
import type { PaymentDeps } from "./payment-deps";

/** What handling one provider document did. */
export interface DocumentOutcome {
  kind: "PAYMENT" | "REFUND";
  /** The payment or refund number the document is about. */
  subjectNo: string;
  /** The notification was stored before (a duplicate or a replay): nothing happened. */
  duplicate: boolean;
  status: string;
}

/**
 * The one path for every provider document, callback or query answer: verify the signature over
 * the exact raw body with the provider's configured key (401 INVALID_SIGNATURE, nothing stored),
 * read it in the provider's format, then apply it once through the inbox.
 */
export async function handleProviderDocument(
  deps: PaymentDeps,
  method: PaymentMethod,
  document: { rawBody?: string | null; signature?: string | null },
  source: NoticeSource,
): Promise<DocumentOutcome> {
  const { rawBody, signature } = document;
  if (typeof rawBody !== "string" || !verifySignature(deps.secrets[method], rawBody, signature)) {
    throw new OmsError("INVALID_SIGNATURE", "Missing or wrong provider signature", {
      header: SIGNATURE_HEADER,
    });
  }
  const notice = PROVIDER_FORMATS[method].decode(rawBody);
  return notice.kind === "PAYMENT"
    ? applyPaymentNotice(deps, method, notice, source, rawBody)
    : applyRefundNotice(deps, method, notice, source, rawBody);
}
