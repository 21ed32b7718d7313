import { OmsError } from "../../../shared/errors";
import type { Payment, Refund } from "../domain/payment";
import { findRefund, type RefundPurpose, refusalsOf } from "../store/refund.repo";
import { handleProviderDocument } from "./handle-document";
import type { PaymentDeps } from "./payment-deps";

/** The provider's word now on a refund, as a signed document; SERVICE_UNAVAILABLE when it cannot be asked. */
function askProvider(deps: PaymentDeps, payment: Payment, refundNo: string) {
  return deps.providers
    .get(payment.method)
    .queryRefund(refundNo)
    .catch((err: Error) => {
      throw new OmsError("SERVICE_UNAVAILABLE", "The provider could not be asked about a refused refund", {
        refundNo,
        error: err.message,
      });
    });
}

/**
 * Before a refused refund is asked again as a new refund: the provider's word now on every refused refund of
 * the same purpose, applied like any query answer. Some providers pay a refused refund later after all (WeChat
 * Pay's ABNORMAL refund, once the merchant settles it by hand); asking again then would pay the buyer twice.
 * Answers the refused refund that turned out paid (known before, or told now), or null when they all stand
 * refused. Throws when the provider cannot be asked: nothing is asked again until it can.
 */
export async function refusedButPaid(
  deps: PaymentDeps,
  payment: Payment,
  purpose: RefundPurpose,
): Promise<Refund | null> {
  const refusals = await refusalsOf(deps.pool, payment.paymentNo, purpose);
  const known = refusals.find((r) => r.status === "SUCCEEDED");
  if (known) return known;
  for (const refused of refusals) {
    const answer = await askProvider(deps, payment, refused.refundNo);
    if (!answer) continue;
    await handleProviderDocument(deps, payment.method, answer, "QUERY");
    const now = await findRefund(deps.pool, refused.refundNo);
    if (now?.status === "SUCCEEDED") return now;
  }
  return null;
}
