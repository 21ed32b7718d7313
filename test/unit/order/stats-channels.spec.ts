import { withStatsChannels } from "../../../services/order/stats/order-stats.mixin";
import type { ChannelsSchema } from "../../../shared/channels";

/** A pool whose every statement is logged (one that records an inbox row as `inbox <consumer>`); it counts nothing. */
function recordingPool(log: string[]) {
  return {
    query: async (sql: string, params: unknown[] = []) => {
      const consumer = params.find((p) => typeof p === "string" && p.startsWith("order-stats-"));
      log.push(sql.includes("INSERT INTO inbox") ? `inbox ${consumer}` : sql);
      return { rowCount: 0, rows: [] };
    },
  };
}

describe("the statistics' channels", () => {
  const own = (log: string[], name: string): ChannelsSchema<any>[string] => ({
    group: `own-${name}`,
    maxInFlight: 3,
    async handler() {
      log.push(`own ${name}`);
    },
  });

  it("subscribes each statistics consumer in its own group where the service has no subscription", () => {
    const channels = withStatsChannels({});
    expect(Object.fromEntries(Object.entries(channels).map(([c, d]) => [c, d.group]))).toEqual({
      "order.placed": "order-stats-placed",
      "order.paid": "order-stats-paid",
      "order.closed": "order-stats-closed",
      "order.shipped": "order-stats-shipped",
      "order.completed": "order-stats-completed",
      "refund.succeeded": "order-stats-refunds",
    });
  });

  it("runs the statistics after the service's own handler where it already consumes the channel", async () => {
    const log: string[] = [];
    const channels = withStatsChannels({ "refund.succeeded": own(log, "refund"), other: own(log, "other") });
    const refund = channels["refund.succeeded"]!;
    expect(refund).toMatchObject({ group: "own-refund", maxInFlight: 3 });
    expect(channels.other!.group).toBe("own-other");
    const payload = { orderNo: "O1", amountMinor: 100 };
    const envelope = { eventId: "e1", name: "refund.succeeded", occurredAt: "", payload };
    await refund.handler.call({ pool: recordingPool(log) } as any, envelope, {} as any);
    // The count and its inbox row are one statement.
    expect(log).toEqual(["own refund", "inbox order-stats-refunds"]);
  });
});
