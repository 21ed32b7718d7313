import type { ServiceSchema } from "moleculer";
import { persistentService } from "../../shared/service/persistent-service.mixin";

/** Carriers, waybills and tracking events. */
const logisticsService: ServiceSchema = {
  name: "logistics",
  mixins: [persistentService("logistics")],
};

export default logisticsService;
