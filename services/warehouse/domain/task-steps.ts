import type { Carrier, ShippingMethod } from "../../../shared/contracts/logistics.contract";
import type { PackageStatus, TaskStep } from "../../../shared/contracts/warehouse.contract";
import { OmsError } from "../../../shared/errors";
import { apply, type StateTable } from "../../../shared/state-machine/engine";
import type { Package } from "./package";

/** What happens to a package: a task step, the hand-over, or the interception of its last units. */
export type PackageEvent = TaskStep | "HAND_OVER" | "EMPTY";
type StepGuard = "waybillPrinted";
type StepEffect = "STAMP_WAYBILL" | "STAMP_PICK" | "STAMP_PACK" | "STAMP_HAND_OVER" | "STAMP_INTERCEPT";

export const PACKAGE_STATUSES: readonly PackageStatus[] = [
  "PENDING",
  "WAYBILL_PRINTED",
  "PICKED",
  "PACKED",
  "HANDED_OVER",
  "INTERCEPTED",
];
export const PACKAGE_EVENTS: readonly PackageEvent[] = [
  "PRINT_WAYBILL",
  "PICK",
  "PACK",
  "HAND_OVER",
  "EMPTY",
];

const handOver = { to: "HANDED_OVER", effects: ["STAMP_HAND_OVER"] } as const;
const empty = { to: "INTERCEPTED", effects: ["STAMP_INTERCEPT"] } as const;

/**
 * The warehouse task of a package: print waybill (may be skipped), pick, pack, in that order; hand-over
 * from any open state. A self-row without effects is a step already done (answered unchanged). Printing
 * after picking is allowed only as that repeat. HANDED_OVER and INTERCEPTED are terminal.
 */
export const PACKAGE_TASK_TABLE: StateTable<PackageStatus, PackageEvent, StepGuard, StepEffect> = {
  name: "package-task",
  version: "1",
  initial: "PENDING",
  states: PACKAGE_STATUSES,
  events: PACKAGE_EVENTS,
  transitions: {
    PENDING: {
      PRINT_WAYBILL: { to: "WAYBILL_PRINTED", effects: ["STAMP_WAYBILL"] },
      PICK: { to: "PICKED", effects: ["STAMP_PICK"] },
      HAND_OVER: handOver,
      EMPTY: empty,
    },
    WAYBILL_PRINTED: {
      PRINT_WAYBILL: { to: "WAYBILL_PRINTED" },
      PICK: { to: "PICKED", effects: ["STAMP_PICK"] },
      HAND_OVER: handOver,
      EMPTY: empty,
    },
    PICKED: {
      PRINT_WAYBILL: { to: "PICKED", guard: "waybillPrinted" },
      PICK: { to: "PICKED" },
      PACK: { to: "PACKED", effects: ["STAMP_PACK"] },
      HAND_OVER: handOver,
      EMPTY: empty,
    },
    PACKED: {
      PRINT_WAYBILL: { to: "PACKED", guard: "waybillPrinted" },
      PICK: { to: "PACKED" },
      PACK: { to: "PACKED" },
      HAND_OVER: handOver,
      EMPTY: empty,
    },
    HANDED_OVER: {},
    INTERCEPTED: {},
  },
};

const GUARDS = { waybillPrinted: (f: { waybillPrinted: boolean }) => f.waybillPrinted };

/** 409 PACKAGE_ALREADY_SHIPPED / PACKAGE_INTERCEPTED for a package whose task is over. */
export function assertOpen(pkg: Pick<Package, "packageId" | "status">): void {
  if (pkg.status === "HANDED_OVER")
    throw new OmsError("PACKAGE_ALREADY_SHIPPED", "The package is already handed over", {
      packageId: pkg.packageId,
    });
  if (pkg.status === "INTERCEPTED")
    throw new OmsError("PACKAGE_INTERCEPTED", "The package was intercepted", { packageId: pkg.packageId });
}

/** How a package leaves: the method and the carrier's number bound to it (none for NO_LOGISTICS). */
export interface Handover {
  method: ShippingMethod;
  carrier: Carrier | null;
  trackingNo: string | null;
}

/** What an event did: the package after it, and whether anything changed (false: a repeated step). */
export interface StepResult {
  pkg: Package;
  changed: boolean;
}

/**
 * Runs an event against a package at `now`. Terminal packages refuse with their own 409; an event not
 * in the table is INVALID_TRANSITION {state, event}. Stamps the step's time; a hand-over fills the pick
 * and pack times it skipped with its own. `waybill` is bound on PRINT_WAYBILL, `handover` on HAND_OVER.
 */
export function runPackageEvent(
  pkg: Package,
  event: PackageEvent,
  now: Date,
  extra: { waybill?: { carrier: Carrier; trackingNo: string }; handover?: Handover } = {},
): StepResult {
  assertOpen(pkg);
  const result = apply(PACKAGE_TASK_TABLE, pkg.status, event, {
    now,
    actor: "warehouse",
    role: "system",
    facts: { waybillPrinted: pkg.task.waybillPrintedAt !== null },
    guards: GUARDS,
  });
  if (result.effects.length === 0) return { pkg, changed: false };
  const next: Package = { ...pkg, status: result.to, task: { ...pkg.task } };
  for (const effect of result.effects) {
    if (effect === "STAMP_WAYBILL") {
      next.task.waybillPrintedAt = now;
      if (extra.waybill) Object.assign(next, { method: "ONLINE_WAYBILL", ...extra.waybill });
    } else if (effect === "STAMP_PICK") next.task.pickedAt = now;
    else if (effect === "STAMP_PACK") next.task.packedAt = now;
    else if (effect === "STAMP_HAND_OVER") {
      next.task.pickedAt ??= now;
      next.task.packedAt ??= now;
      next.task.handedOverAt = now;
      if (extra.handover) Object.assign(next, extra.handover);
    } else next.task.interceptedAt = now;
  }
  return { pkg: next, changed: true };
}
