import { type NotificationPurge, purgeNotifications } from "../store/retention.repo";
import type { NotificationDeps } from "./notification-deps";

/** The hourly purge: deletes what is older than the retention (`purgeNotifications`). */
export async function purgeOldNotifications(deps: NotificationDeps, now: Date): Promise<NotificationPurge> {
  const purged = await purgeNotifications(deps.pool, new Date(now.getTime() - deps.settings.retentionMs));
  if (Object.values(purged).some((n) => n > 0)) deps.log.info("notifications purged", purged);
  return purged;
}
