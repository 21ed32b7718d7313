import type { ServiceSchema } from "moleculer";
import { persistentService } from "../../shared/service/persistent-service.mixin";

/** SKU master, stock per warehouse, Redis reservations and the movement ledger. */
const inventoryService: ServiceSchema = {
  name: "inventory",
  mixins: [persistentService("inventory")],
};

export default inventoryService;
