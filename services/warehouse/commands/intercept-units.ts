import {
  type InterceptParams,
  type InterceptResult,
  type PackageInterceptedPayload,
  WAREHOUSE_CHANNELS,
} from "../../../shared/contracts/warehouse.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError, validationFailed } from "../../../shared/errors";
import { recordEvent } from "../../../shared/outbox/outbox";
import { planIntercept } from "../domain/intercept-plan";
import { allHandedOver } from "../domain/package";
import { findIntercept, insertIntercept } from "../store/intercept.repo";
import { findFulfilment, fulfilmentLines, packagesOfOrder, updatePackages } from "../store/package.repo";
import type { WarehouseDeps } from "./warehouse-deps";

/**
 * `warehouse.intercept`: under the order's lock, answers a known interceptId with its stored result;
 * otherwise takes the units out of packages not handed over (all or nothing), stores the answer and
 * records `package.intercepted` in the same transaction. The units' stock is released after commit by
 * the `warehouse-unreserve` consumer.
 */
export async function interceptUnits(deps: WarehouseDeps, params: InterceptParams): Promise<InterceptResult> {
  const now = deps.now();
  const { result, recorded } = await withTransaction(deps.pool, async (tx) => {
    const fulfilment = await findFulfilment(tx, params.orderNo, true);
    if (!fulfilment)
      throw new OmsError("NOT_FOUND", "The order has no fulfilment yet", { orderNo: params.orderNo });
    const stored = await findIntercept(tx, params.interceptId);
    if (stored) {
      if (stored.result.orderNo !== params.orderNo)
        throw validationFailed("interceptId", "The interceptId was used for another order");
      return { result: stored.result, recorded: false };
    }
    const packages = await packagesOfOrder(tx, params.orderNo);
    const plan = planIntercept(await fulfilmentLines(tx, params.orderNo), packages, params.lines, now);
    await updatePackages(tx, plan.changed, now);
    const answer: InterceptResult = {
      orderNo: params.orderNo,
      interceptId: params.interceptId,
      lines: plan.lines,
      packageIds: plan.emptiedIds,
    };
    await insertIntercept(tx, answer, params.reason, now);
    const after = packages.map((p) => plan.changed.find((c) => c.packageId === p.packageId) ?? p);
    await recordEvent<PackageInterceptedPayload>(
      tx,
      WAREHOUSE_CHANNELS.intercepted,
      { ...answer, allShipped: allHandedOver(after) },
      now,
    );
    return { result: answer, recorded: true };
  });
  if (recorded) deps.committed();
  return result;
}
