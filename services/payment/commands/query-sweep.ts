import { nextQueryAt } from "../domain/query-schedule";
import type { SignedDocument } from "../providers/provider";
import { claimDue, type DueItem } from "../store/query.repo";
import { closeAtProvider } from "./close-at-provider";
import { handleProviderDocument } from "./handle-document";
import type { PaymentDeps } from "./payment-deps";
import { retryDuplicateRefunds } from "./retry-duplicate-refunds";
import { submitRefund } from "./submit-refund";

const BATCH = 50;

/**
 * The active query (DOMAIN.md 9: a missing callback is recovered by asking the provider). Claims the
 * payments and refunds whose next query is due, asks each one's provider, and feeds any answer
 * through the same verify-and-apply path as a callback, so the inbox dedupes it against the
 * callback that may still come. A refund the provider does not know yet is submitted again. First,
 * it retries the provider closes of CLOSED attempts that failed (same backoff, counted from the close);
 * last, it asks again the refused refunds of duplicate payments that are due.
 */
export async function queryDue(
  deps: PaymentDeps,
  now: Date,
): Promise<{ closes: number; payments: number; refunds: number }> {
  const next = (item: DueItem) => nextQueryAt(item.createdAt, now, item.attempts, deps.queryAfterMs);
  const closes = await claimDue(deps.pool, "closes", now, BATCH, next);
  for (const item of closes) {
    const attempt = { paymentNo: item.no, method: item.method, providerPaymentNo: item.providerNo ?? "" };
    if (!(await closeAtProvider(deps, attempt)) && next(item) === null) {
      deps.logger.warn("gave up closing an attempt at its provider", { paymentNo: item.no });
    }
  }
  const payments = await claimDue(deps.pool, "payments", now, BATCH, next);
  for (const item of payments) {
    await settle(deps, item, () => deps.providers.get(item.method).queryPayment(item.providerNo ?? ""));
  }
  const refunds = await claimDue(deps.pool, "refunds", now, BATCH, next);
  for (const item of refunds) {
    const answered = await settle(deps, item, () => deps.providers.get(item.method).queryRefund(item.no));
    if (!answered) await submitRefund(deps, item.no);
  }
  await retryDuplicateRefunds(deps, now);
  return { closes: closes.length, payments: payments.length, refunds: refunds.length };
}

/**
 * Asks and applies one answer. False only when the provider answered that it has no result (for a
 * refund: it does not know it, so it is submitted again); a failure is logged and counts as handled,
 * the next due query retries it.
 */
async function settle(
  deps: PaymentDeps,
  item: DueItem,
  ask: () => Promise<SignedDocument | null>,
): Promise<boolean> {
  try {
    const answer = await ask();
    if (!answer) return false;
    const outcome = await handleProviderDocument(deps, item.method, answer, "QUERY");
    if (!outcome.duplicate) deps.logger.info("active query recovered a result", { ...outcome });
    return true;
  } catch (err) {
    deps.logger.warn("active query failed", {
      no: item.no,
      error: err instanceof Error ? err.message : String(err),
    });
    return true;
  }
}
