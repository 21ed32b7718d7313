import type { ServiceSchema } from "moleculer";
import { persistentService } from "../../shared/service/persistent-service.mixin";

/** Fulfilment after payment: packages, pick/pack/ship tasks, interception, returns. */
const warehouseService: ServiceSchema = {
  name: "warehouse",
  mixins: [persistentService("warehouse")],
};

export default warehouseService;
