import type { ServiceSchema } from "moleculer";

/** Order statistics: daily figures maintained from the order service's own events, and the overview query. */
export const orderStats: Partial<ServiceSchema> = {};
