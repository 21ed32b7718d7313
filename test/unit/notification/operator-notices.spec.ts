import { planDeliveries } from "../../../services/notification/domain/delivery-plan";
import {
  reconciledNotification,
  stockDriftClearedNotification,
  stockDriftedNotification,
} from "../../../services/notification/domain/event-notifications";
import { validateRule } from "../../../services/notification/domain/rule";
import type {
  StockDriftClearedPayload,
  StockDriftedPayload,
} from "../../../shared/contracts/inventory.contract";
import type { ReconciledPayload } from "../../../shared/contracts/order.contract";
import { seededRule } from "../../support/seeded-rules";

const seeded = () => seededRule("005_reconciliation_mismatched.sql", "RECONCILIATION_MISMATCHED");

const day = (extra: Partial<ReconciledPayload> = {}): ReconciledPayload => ({
  date: "2026-11-26",
  mismatchCount: 3,
  byKind: { OVER_REFUNDED: 1, REFUND_FAILED: 2 },
  truncated: false,
  ...extra,
});

describe("RECONCILIATION_MISMATCHED", () => {
  it("tells the operators' inbox the day, the count and the kinds, most first", () => {
    const [draft, ...more] = planDeliveries(
      reconciledNotification("e1", day()) ?? fail("no intent"),
      seeded(),
    );
    expect(more).toEqual([]);
    expect(draft).toMatchObject({ eventId: "e1", recipient: "operators", channel: "IN_APP", orderNo: null });
    expect(draft?.text).toBe(
      "2026-11-26 的对账发现 3 处差异：REFUND_FAILED ×2, OVER_REFUNDED ×1。请在对账页面逐条核对。",
    );
  });

  it("says the count is a lower bound when the report was cut short", () => {
    const intent = reconciledNotification("e2", day({ mismatchCount: 1000, truncated: true }));
    expect(intent?.values.count).toBe("1000+");
  });

  it("tells nobody about a day that reconciled", () => {
    expect(reconciledNotification("e3", day({ mismatchCount: 0, byKind: {} }))).toBeNull();
  });
});

const drifted: StockDriftedPayload = {
  checkId: 17,
  checkedAt: "2026-11-27T02:00:00.000Z",
  driftCount: 3,
  byKind: { LIMIT: 1, STOCK: 2 },
};
const cleared: StockDriftClearedPayload = {
  checkId: 18,
  checkedAt: "2026-11-27T03:00:00.000Z",
  previousCheckId: 17,
};

describe("STOCK_DRIFTED", () => {
  const rule = () => seededRule("006_stock_drifted.sql", "STOCK_DRIFTED");

  it("tells the operators' inbox which check, when it ran (China time), the count and the kinds, most first", () => {
    const drafts = planDeliveries(stockDriftedNotification("e5", drifted), rule());
    expect(drafts).toEqual([
      expect.objectContaining({ eventId: "e5", recipient: "operators", channel: "IN_APP", orderNo: null }),
    ]);
    expect(drafts[0]?.text).toBe(
      "库存核对 #17（2026-11-27 10:00）发现 3 处 Redis 计数与台账不一致：STOCK ×2, LIMIT ×1。请在库存核对页面查看，核实后重建库存计数。",
    );
  });
});

describe("STOCK_DRIFT_CLEARED", () => {
  const rule = () => seededRule("007_stock_drift_cleared.sql", "STOCK_DRIFT_CLEARED");

  it("tells the operators' inbox which check found the counters agreeing again, and which had found the drift", () => {
    const drafts = planDeliveries(stockDriftClearedNotification("e7", cleared), rule());
    expect(drafts).toEqual([
      expect.objectContaining({ eventId: "e7", recipient: "operators", channel: "IN_APP", orderNo: null }),
    ]);
    expect(drafts[0]?.text).toBe(
      "库存核对 #18（2026-11-27 11:00）：Redis 计数与台账已一致，核对 #17 发现的不一致已消除。",
    );
  });
});

describe.each([
  [
    "RECONCILIATION_MISMATCHED",
    "005_reconciliation_mismatched.sql",
    () => reconciledNotification("e4", day()),
  ],
  ["STOCK_DRIFTED", "006_stock_drifted.sql", () => stockDriftedNotification("e6", drifted)],
  ["STOCK_DRIFT_CLEARED", "007_stock_drift_cleared.sql", () => stockDriftClearedNotification("e8", cleared)],
] as const)("%s: no order, so no buyer or shop to tell", (node, migration, intent) => {
  it("refuses a rule naming a buyer or a shop", () => {
    const edit = { channels: ["IN_APP"], template: "{date}" };
    for (const recipients of [["BUYER"], ["OPERATOR", "MERCHANT"]]) {
      let error: unknown;
      try {
        validateRule(node, { ...edit, recipients });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ type: "VALIDATION_FAILED", data: { field: "recipients" } });
    }
  });

  it("reaches only the operators even under a rule written around the validation", () => {
    const drafts = planDeliveries(intent() ?? fail("no intent"), {
      ...seededRule(migration, node),
      recipients: ["BUYER", "MERCHANT", "OPERATOR"],
    });
    expect(drafts.map((d) => d.recipient)).toEqual(["operators"]);
  });
});

function fail(message: string): never {
  throw new Error(message);
}
