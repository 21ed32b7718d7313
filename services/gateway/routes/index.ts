import { AFTER_SALES_ROUTES } from "./after-sales.routes";
import { FULFILMENT_ROUTES } from "./fulfilment.routes";
import { IDENTITY_ROUTES } from "./identity.routes";
import { INVENTORY_ROUTES } from "./inventory.routes";
import { NOTIFICATION_ROUTES } from "./notification.routes";
import { ORDER_ROUTES } from "./order.routes";
import { PAYMENT_ROUTES } from "./payment.routes";
import { PROMOTION_ROUTES } from "./promotion.routes";
import type { RouteDef } from "./route-def";
import { SETTLEMENT_ROUTES } from "./settlement.routes";
import { STATS_ROUTES } from "./stats.routes";

/** Every REST route under /api/v1: one table builds the aliases, the role checks and the OpenAPI document. */
export const API_ROUTES: readonly RouteDef[] = [
  ...IDENTITY_ROUTES,
  ...INVENTORY_ROUTES,
  ...PROMOTION_ROUTES,
  ...ORDER_ROUTES,
  ...PAYMENT_ROUTES,
  ...FULFILMENT_ROUTES,
  ...AFTER_SALES_ROUTES,
  ...NOTIFICATION_ROUTES,
  ...STATS_ROUTES,
  ...SETTLEMENT_ROUTES,
];
