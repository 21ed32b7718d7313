import type { ServiceSchema } from "moleculer";
import { persistentService } from "../../shared/service/persistent-service.mixin";

/** Campaigns, coupons, member tiers, coins, price calculation and discount allocation. */
const promotionService: ServiceSchema = {
  name: "promotion",
  mixins: [persistentService("promotion")],
};

export default promotionService;
