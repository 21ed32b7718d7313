import type { ServiceSchema } from "moleculer";
import { persistentService } from "../../shared/service/persistent-service.mixin";

/** Rules per order-flow node, the in-app inbox and channel adapters. */
const notificationService: ServiceSchema = {
  name: "notification",
  mixins: [persistentService("notification")],
};

export default notificationService;
