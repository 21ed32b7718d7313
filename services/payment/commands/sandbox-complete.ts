import { OmsError } from "../../../shared/errors";
import type { ProviderResult } from "../domain/notice";
import { wholeSecond } from "../providers/sandbox-provider";
import { completeSandboxPayment } from "../store/sandbox.repo";
import type { PaymentDeps } from "./payment-deps";

/** `POST /sandbox/payments/{providerPaymentNo}/complete`. */
export interface SandboxCompletion {
  providerPaymentNo: string;
  result: ProviderResult;
  /** Extra copies of the callback, sent at once alongside the first (providers retry and repeat). */
  duplicateCallbacks?: number;
  /** Send the callbacks this many milliseconds later instead of before answering. */
  delayMs?: number;
  /** Record the result at the provider but send nothing: only the active query can find it. */
  noCallback?: boolean;
  /** The provider refuses this payment's next n refunds (the payer's account frozen, say). */
  refuseRefunds?: number;
}

/**
 * Plays the payer at the sandbox provider: records the result on the provider's side and makes the
 * provider send its signed callback(s) to the payment service's callback action, as it would over
 * HTTP. Without `delayMs` the answer carries what each callback got back.
 */
export async function sandboxComplete(deps: PaymentDeps, p: SandboxCompletion) {
  // One statement: the provider records the payer's result (and tells us which provider it is).
  const record = deps.sandboxEnabled
    ? await completeSandboxPayment(deps.pool, {
        providerPaymentNo: p.providerPaymentNo,
        result: p.result,
        at: wholeSecond(new Date()),
        refuseRefunds: p.refuseRefunds ?? null,
      })
    : null;
  const provider = record ? deps.providers.sandbox(record.method) : undefined;
  if (!record || !provider) {
    throw new OmsError("NOT_FOUND", "No such sandbox payment", { providerPaymentNo: p.providerPaymentNo });
  }
  const document = provider.completedDocument(record, p.result);
  const callbacks = p.noCallback ? 0 : 1 + (p.duplicateCallbacks ?? 0);
  const answers = callbacks > 0 ? await provider.deliver(document, callbacks, p.delayMs) : [];
  return {
    providerPaymentNo: p.providerPaymentNo,
    method: record.method,
    result: p.result,
    callbacks,
    delayed: callbacks > 0 && p.delayMs !== undefined,
    answers,
  };
}
