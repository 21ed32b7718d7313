import type { ServiceSchema } from "moleculer";
import { persistentService } from "../../shared/service/persistent-service.mixin";

/** Payment orders, provider adapters, signed callbacks and refunds. */
const paymentService: ServiceSchema = {
  name: "payment",
  mixins: [persistentService("payment")],
};

export default paymentService;
