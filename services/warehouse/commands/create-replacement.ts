import {
  type CreateReplacementParams,
  type CreateReplacementResult,
  type PackagesCreatedPayload,
  WAREHOUSE_CHANNELS,
} from "../../../shared/contracts/warehouse.contract";
import { withTransaction } from "../../../shared/db/pool";
import { OmsError, validationFailed } from "../../../shared/errors";
import { recordEvent } from "../../../shared/outbox/outbox";
import {
  checkReplacement,
  planReplacement,
  type Replacement,
  replacementReservation,
} from "../domain/plan-replacement";
import { findFulfilment, fulfilmentLines } from "../store/package.repo";
import { findReplacement, insertReplacement, lastPosition } from "../store/replacement.repo";
import type { WarehouseDeps } from "./warehouse-deps";

const answer = (r: Replacement): CreateReplacementResult => ({
  afterSalesNo: r.afterSalesNo,
  packageIds: r.packageIds,
});

/** The stored replacement's answer; one made for another order is a 422. */
function stored(r: Replacement, params: CreateReplacementParams): CreateReplacementResult {
  if (r.orderNo !== params.orderNo)
    throw validationFailed("afterSalesNo", "The afterSalesNo was used for another order", {
      orderNo: r.orderNo,
    });
  return answer(r);
}

/**
 * `warehouse.createReplacement` (换货出库): reserves and sells the replacement units under the exchange's
 * own reservation (`inventory.reserve` then `inventory.deduct`, id = afterSalesNo, both idempotent;
 * OUT_OF_STOCK passes through with nothing made), splits them into packages of the order and, under the
 * order's lock, writes the replacement, its packages and `package.created` in one transaction. Once per
 * afterSalesNo: a retry, or a call racing this one, answers the same package ids.
 */
export async function createReplacement(
  deps: WarehouseDeps,
  params: CreateReplacementParams,
): Promise<CreateReplacementResult> {
  const known = await findReplacement(deps.pool, params.afterSalesNo);
  if (known) return stored(known, params);
  const fulfilment = await findFulfilment(deps.pool, params.orderNo);
  if (!fulfilment)
    throw new OmsError("NOT_FOUND", "The order has no fulfilment", { orderNo: params.orderNo });
  checkReplacement(params, fulfilment, await fulfilmentLines(deps.pool, params.orderNo));
  await deps.calls.reserveStock(replacementReservation(params));
  const sold = await deps.calls.deductStock(params.afterSalesNo);
  const skus = await deps.calls.getSkus([...new Set(params.lines.map((l) => l.skuId))]);
  const { result, recorded } = await withTransaction(deps.pool, async (tx) => {
    await findFulfilment(tx, params.orderNo, true);
    const raced = await findReplacement(tx, params.afterSalesNo);
    if (raced) return { result: stored(raced, params), recorded: false };
    const now = deps.now();
    const first = (await lastPosition(tx, params.orderNo)) + 1;
    const plan = planReplacement(params, sold.lines, skus, deps.rules, first, now);
    if (!(await insertReplacement(tx, plan))) {
      // The same afterSalesNo made for another order (another lock) won the insert.
      return {
        result: stored((await findReplacement(tx, params.afterSalesNo)) as Replacement, params),
        recorded: false,
      };
    }
    await recordEvent<PackagesCreatedPayload>(
      tx,
      WAREHOUSE_CHANNELS.packagesCreated,
      { orderNo: params.orderNo, packageIds: plan.replacement.packageIds },
      now,
    );
    return { result: answer(plan.replacement), recorded: true };
  });
  if (recorded) deps.committed();
  return result;
}
