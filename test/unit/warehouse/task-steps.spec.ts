import {
  PACKAGE_TASK_TABLE,
  type PackageEvent,
  runPackageEvent,
} from "../../../services/warehouse/domain/task-steps";
import type { PackageStatus } from "../../../shared/contracts/warehouse.contract";
import { isTerminal, reachableStates } from "../../../shared/state-machine/engine";
import { pkg, T0, T1 } from "./package-fixtures";

/** Expected outcome per (state, event): the next state, "same" (answered unchanged), or the error type. */
type Outcome =
  | PackageStatus
  | "same"
  | "INVALID_TRANSITION"
  | "PACKAGE_ALREADY_SHIPPED"
  | "PACKAGE_INTERCEPTED";
const EXPECTED: Record<PackageStatus, Record<PackageEvent, Outcome>> = {
  PENDING: {
    PRINT_WAYBILL: "WAYBILL_PRINTED",
    PICK: "PICKED",
    PACK: "INVALID_TRANSITION",
    HAND_OVER: "HANDED_OVER",
    EMPTY: "INTERCEPTED",
  },
  WAYBILL_PRINTED: {
    PRINT_WAYBILL: "same",
    PICK: "PICKED",
    PACK: "INVALID_TRANSITION",
    HAND_OVER: "HANDED_OVER",
    EMPTY: "INTERCEPTED",
  },
  PICKED: {
    PRINT_WAYBILL: "INVALID_TRANSITION",
    PICK: "same",
    PACK: "PACKED",
    HAND_OVER: "HANDED_OVER",
    EMPTY: "INTERCEPTED",
  },
  PACKED: {
    PRINT_WAYBILL: "INVALID_TRANSITION",
    PICK: "same",
    PACK: "same",
    HAND_OVER: "HANDED_OVER",
    EMPTY: "INTERCEPTED",
  },
  HANDED_OVER: {
    PRINT_WAYBILL: "PACKAGE_ALREADY_SHIPPED",
    PICK: "PACKAGE_ALREADY_SHIPPED",
    PACK: "PACKAGE_ALREADY_SHIPPED",
    HAND_OVER: "PACKAGE_ALREADY_SHIPPED",
    EMPTY: "PACKAGE_ALREADY_SHIPPED",
  },
  INTERCEPTED: {
    PRINT_WAYBILL: "PACKAGE_INTERCEPTED",
    PICK: "PACKAGE_INTERCEPTED",
    PACK: "PACKAGE_INTERCEPTED",
    HAND_OVER: "PACKAGE_INTERCEPTED",
    EMPTY: "PACKAGE_INTERCEPTED",
  },
};

/** A package in `status` whose waybill was not printed. */
const inState = (status: PackageStatus) => pkg(1, { a: 1 }, { status });

describe("package task table", () => {
  for (const state of PACKAGE_TASK_TABLE.states) {
    for (const event of PACKAGE_TASK_TABLE.events) {
      const expected = EXPECTED[state][event];
      it(`${state} + ${event} -> ${expected}`, () => {
        const before = inState(state);
        if (expected === "same") {
          const result = runPackageEvent(before, event, T1);
          expect(result.changed).toBe(false);
          expect(result.pkg).toBe(before);
        } else if (expected.startsWith("PACKAGE_") || expected === "INVALID_TRANSITION") {
          expect(() => runPackageEvent(before, event, T1)).toThrow(
            expect.objectContaining({ type: expected }),
          );
        } else {
          const result = runPackageEvent(before, event, T1);
          expect(result.changed).toBe(true);
          expect(result.pkg.status).toBe(expected);
        }
      });
    }
  }

  it("reaches every state from PENDING", () => {
    expect(reachableStates(PACKAGE_TASK_TABLE)).toEqual(new Set(PACKAGE_TASK_TABLE.states));
  });

  it("has HANDED_OVER and INTERCEPTED as its only terminal states", () => {
    const terminal = PACKAGE_TASK_TABLE.states.filter((s) => isTerminal(PACKAGE_TASK_TABLE, s));
    expect(terminal).toEqual(["HANDED_OVER", "INTERCEPTED"]);
  });
});

describe("runPackageEvent", () => {
  it("answers a repeated print unchanged after picking when the waybill was printed", () => {
    const printed = pkg(
      1,
      { a: 1 },
      { status: "PICKED", task: { ...pkg(1, {}).task, waybillPrintedAt: T0 } },
    );
    for (const status of ["PICKED", "PACKED"] as const) {
      const result = runPackageEvent({ ...printed, status }, "PRINT_WAYBILL", T1);
      expect(result.changed).toBe(false);
    }
  });

  it("refuses printing after picking when no waybill was printed, naming state and event", () => {
    expect(() => runPackageEvent(inState("PICKED"), "PRINT_WAYBILL", T1)).toThrow(
      expect.objectContaining({
        type: "INVALID_TRANSITION",
        data: expect.objectContaining({ state: "PICKED" }),
      }),
    );
  });

  it("stamps each step's time and binds the online waybill on printing", () => {
    const printed = runPackageEvent(inState("PENDING"), "PRINT_WAYBILL", T0, {
      waybill: { carrier: "SF", trackingNo: "SF1234567890" },
    }).pkg;
    expect(printed).toMatchObject({
      status: "WAYBILL_PRINTED",
      method: "ONLINE_WAYBILL",
      carrier: "SF",
      trackingNo: "SF1234567890",
      task: { waybillPrintedAt: T0, pickedAt: null },
    });
    const picked = runPackageEvent(printed, "PICK", T1).pkg;
    expect(picked.task).toMatchObject({ waybillPrintedAt: T0, pickedAt: T1, packedAt: null });
  });

  it("fills the skipped pick and pack times with the hand-over time and keeps done ones", () => {
    const picked = { ...inState("PICKED"), task: { ...inState("PICKED").task, pickedAt: T0 } };
    const shipped = runPackageEvent(picked, "HAND_OVER", T1, {
      handover: { method: "MANUAL", carrier: "ZTO", trackingNo: "ZT1" },
    }).pkg;
    expect(shipped).toMatchObject({
      status: "HANDED_OVER",
      method: "MANUAL",
      carrier: "ZTO",
      trackingNo: "ZT1",
      task: { waybillPrintedAt: null, pickedAt: T0, packedAt: T1, handedOverAt: T1 },
    });
  });

  it("does not change the package it was given", () => {
    const before = inState("PENDING");
    runPackageEvent(before, "PICK", T1);
    expect(before.status).toBe("PENDING");
    expect(before.task.pickedAt).toBeNull();
  });
});
