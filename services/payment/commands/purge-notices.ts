import { noticePurgeCutoff } from "../domain/notice-retention";
import { purgeNotices } from "../store/notice.repo";
import type { PaymentDeps } from "./payment-deps";

/**
 * The periodic purge of the provider notification inbox: deletes what was received longer than the
 * retention ago. Younger notifications stay, so a provider's replay is still found and ignored.
 */
export async function purgeOldNotices(deps: PaymentDeps, now: Date): Promise<number> {
  const purged = await purgeNotices(deps.pool, noticePurgeCutoff(now, deps.noticeRetentionMs));
  if (purged > 0) deps.logger.info("provider notifications purged", { purged });
  return purged;
}
