import type { AttemptToClose } from "../domain/payment";
import { recordClose, recordCloseFailure } from "../store/provider-close.repo";
import type { PaymentDeps } from "./payment-deps";

/**
 * Tells the providers of attempts we just closed (after the commit that closed them, which also
 * scheduled a retry), so their payers can no longer pay them. Never throws: a close that fails is
 * recorded and retried by the query sweep, and never fails the request that closed the attempt.
 */
export async function closeAtProviders(deps: PaymentDeps, attempts: AttemptToClose[]): Promise<void> {
  for (const attempt of attempts) await closeAtProvider(deps, attempt);
}

/**
 * Asks one attempt's provider to close it (idempotent there) and records the answer: CLOSED, or
 * ALREADY_PAID when the payer was first (the attempt is then queried at once). False when it failed:
 * the error is kept on the attempt and the scheduled retry stands.
 */
export async function closeAtProvider(deps: PaymentDeps, attempt: AttemptToClose): Promise<boolean> {
  const { paymentNo } = attempt;
  try {
    const outcome = await deps.providers.get(attempt.method).close(attempt.providerPaymentNo);
    await recordClose(deps.pool, paymentNo, outcome, new Date());
    if (outcome === "ALREADY_PAID") {
      deps.logger.info("a closed attempt was already paid at its provider; querying it", { paymentNo });
    }
    return true;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    deps.logger.warn("closing an attempt at its provider failed; the query sweep retries it", {
      paymentNo,
      error,
    });
    await recordCloseFailure(deps.pool, paymentNo, error).catch(() => undefined);
    return false;
  }
}
