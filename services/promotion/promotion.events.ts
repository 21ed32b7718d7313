/** Broadcast to every promotion pod after a configuration write, so their pricing caches drop that part. */
export const CONFIG_CHANGED = "promotion.configChanged";

/** Which cached configuration a write changed (`promotion.configChanged`'s payload). */
export interface ConfigChange {
  campaigns?: boolean;
  tiers?: boolean;
  coinsPolicy?: boolean;
  shopId?: string;
}
