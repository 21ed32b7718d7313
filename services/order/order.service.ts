import type { ServiceSchema } from "moleculer";
import { persistentService } from "../../shared/service/persistent-service.mixin";

/** Parent and child orders, their state machines, timeline, queries and order timers. */
const orderService: ServiceSchema = {
  name: "order",
  mixins: [persistentService("order")],
};

export default orderService;
