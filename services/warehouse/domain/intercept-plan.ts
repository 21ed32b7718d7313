import { OmsError, validationFailed } from "../../../shared/errors";
import { type FulfilmentLine, isOrderPackage, type Package, unitsIn } from "./package";
import { runPackageEvent } from "./task-steps";

/** Units of an order line to take out of the packages. */
export interface RequestedUnits {
  lineId: string;
  quantity: number;
}

/** What an interception takes: units per line, the packages after it, and those left empty (INTERCEPTED). */
export interface InterceptPlan {
  lines: { lineId: string; skuId: string; quantity: number }[];
  changed: Package[];
  emptiedIds: string[];
}

const OPEN_ORDER = ["PENDING", "WAYBILL_PRINTED", "PICKED", "PACKED"] as const;
const isOpen = (p: Package) => (OPEN_ORDER as readonly string[]).includes(p.status);

/** Units of a line in packages not yet handed over. */
const openUnits = (packages: readonly Package[], lineId: string) =>
  packages
    .filter(isOpen)
    .flatMap((p) => p.lines)
    .filter((l) => l.lineId === lineId)
    .reduce((sum, l) => sum + l.quantity, 0);

/** Units of a line already intercepted (planned minus what is left, over every package). */
const interceptedUnits = (packages: readonly Package[], lineId: string) =>
  packages
    .flatMap((p) => p.lines)
    .filter((l) => l.lineId === lineId)
    .reduce((sum, l) => sum + l.plannedQuantity - l.quantity, 0);

/** Omitted lines: everything not yet handed over; nothing left while some units shipped is a 409. */
function everythingOpen(bought: readonly FulfilmentLine[], packages: readonly Package[]): RequestedUnits[] {
  const requested = bought
    .map((l) => ({ lineId: l.lineId, quantity: openUnits(packages, l.lineId) }))
    .filter((l) => l.quantity > 0);
  const shipped = packages.find((p) => p.status === "HANDED_OVER" && unitsIn(p) > 0);
  if (requested.length === 0 && shipped) {
    throw new OmsError("PACKAGE_ALREADY_SHIPPED", "Every unit of the order is already handed over", {
      lineId: shipped.lines.find((l) => l.quantity > 0)?.lineId,
      packageId: shipped.packageId,
    });
  }
  return requested;
}

/** 422 for a line the order does not have or more units than it still has; 409 for units already shipped. */
function checkRequest(
  bought: readonly FulfilmentLine[],
  packages: readonly Package[],
  requested: readonly RequestedUnits[],
): void {
  const seen = new Set<string>();
  requested.forEach((r, i) => {
    const line = bought.find((l) => l.lineId === r.lineId);
    if (!line || seen.has(r.lineId))
      throw validationFailed(
        `lines[${i}].lineId`,
        line ? "The line is listed twice" : "No such line in the order",
        {
          lineId: r.lineId,
        },
      );
    seen.add(r.lineId);
    const remaining = line.quantity - interceptedUnits(packages, r.lineId);
    if (r.quantity > remaining)
      throw validationFailed(`lines[${i}].quantity`, `Only ${remaining} units of the line remain`, {
        lineId: r.lineId,
        remaining,
      });
  });
  for (const r of requested) {
    const available = openUnits(packages, r.lineId);
    if (r.quantity > available)
      throw new OmsError("PACKAGE_ALREADY_SHIPPED", "Some of the units are already handed over", {
        lineId: r.lineId,
        available,
      });
  }
}

/**
 * Takes the requested units (omitted: all not handed over) out of open packages, least advanced task
 * first, then the last-made package first. All or nothing: throws before changing anything. A package
 * left without units becomes INTERCEPTED at `now`. Exchange replacement packages are never touched: their
 * units were sold under the exchange's reservation, not the order's.
 */
export function planIntercept(
  bought: readonly FulfilmentLine[],
  allPackages: readonly Package[],
  requestedLines: readonly RequestedUnits[] | undefined,
  now: Date,
): InterceptPlan {
  const packages = allPackages.filter(isOrderPackage);
  const requested = requestedLines ?? everythingOpen(bought, packages);
  checkRequest(bought, packages, requested);
  const working = packages
    .filter(isOpen)
    .map((p) => ({ ...p, lines: p.lines.map((l) => ({ ...l })) }))
    .sort(
      (a, b) =>
        OPEN_ORDER.indexOf(a.status as (typeof OPEN_ORDER)[number]) -
          OPEN_ORDER.indexOf(b.status as (typeof OPEN_ORDER)[number]) || b.position - a.position,
    );
  const touched = new Set<string>();
  for (const r of requested) {
    let need = r.quantity;
    for (const pkg of working) {
      const line = pkg.lines.find((l) => l.lineId === r.lineId);
      if (!line || line.quantity === 0 || need === 0) continue;
      const take = Math.min(need, line.quantity);
      line.quantity -= take;
      need -= take;
      touched.add(pkg.packageId);
    }
  }
  const changed = working
    .filter((p) => touched.has(p.packageId))
    .map((p) => (unitsIn(p) === 0 ? runPackageEvent(p, "EMPTY", now).pkg : p))
    .sort((a, b) => a.position - b.position);
  return {
    lines: requested.map((r) => ({
      lineId: r.lineId,
      skuId: bought.find((l) => l.lineId === r.lineId)?.skuId ?? "",
      quantity: r.quantity,
    })),
    changed,
    emptiedIds: changed.filter((p) => p.status === "INTERCEPTED").map((p) => p.packageId),
  };
}
