import "./logistics-env";
import { carrierSecrets } from "../../../services/logistics/carriers/carrier-registry";
import { config } from "../../../shared/config/config";
import type { Carrier, LogisticsStatus } from "../../../shared/contracts/logistics.contract";
import { signBody } from "../../../shared/webhooks/signature";
import {
  carrierWebhook,
  count,
  eventually,
  newPackage,
  onlineWaybill,
  signAs,
  typedTrackingNo,
  useLogisticsSystem,
} from "./logistics-harness";

const T = (minute: number) => new Date(Date.UTC(2026, 10, 26, 2, minute)).toISOString();

describe("logistics tracking webhooks", () => {
  const sys = useLogisticsSystem();
  const { call } = sys;

  const waybill = (carrier: Carrier = "SF") => onlineWaybill(sys, carrier);
  const sandbox = (
    w: { carrier: Carrier; trackingNo: string },
    status: LogisticsStatus,
    extra: { at?: string; description?: string; duplicates?: number; delayMs?: number } = {},
  ) => call("logistics.sandboxEvent", { carrier: w.carrier, trackingNo: w.trackingNo, status, ...extra });
  const callback = (carrier: string, doc: { rawBody?: string; signature?: string }) =>
    call("logistics.callback", { carrier, ...doc });
  const shipment = async (packageId: string) =>
    (await call("logistics.tracking", { packageIds: [packageId] })).items[0];
  const storedEvents = (w: { carrier: Carrier; trackingNo: string }) =>
    count(sys.pool, "SELECT count(*) AS n FROM tracking_events WHERE carrier = $1 AND tracking_no = $2", [
      w.carrier,
      w.trackingNo,
    ]);
  const outbox = async (packageId: string) =>
    (
      await sys.pool.query(
        `SELECT payload FROM outbox WHERE channel = 'logistics.status-changed' AND payload->>'packageId' = $1
         ORDER BY seq`,
        [packageId],
      )
    ).rows.map((r) => r.payload);
  const delivered = (packageId: string) => sys.received.filter((e) => e.payload.packageId === packageId);

  async function expectUntouched(w: { packageId: string; carrier: Carrier; trackingNo: string }) {
    expect(await shipment(w.packageId)).toMatchObject({ status: "CREATED", events: [] });
    expect(await storedEvents(w)).toBe(0);
    expect(await outbox(w.packageId)).toEqual([]);
  }

  it.each(["SF", "ZTO", "YTO", "JD", "CAINIAO"] as const)(
    "moves a %s package with the sandbox carrier's signed webhook and announces it once",
    async (carrier) => {
      const w = await waybill(carrier);
      const sent = await sandbox(w, "PICKED_UP", { at: T(5), description: "Courier Wang picked it up" });
      expect(sent).toMatchObject({
        carrier,
        trackingNo: w.trackingNo,
        status: "PICKED_UP",
        at: T(5),
        webhooks: 1,
      });
      expect(sent.eventId).toEqual(expect.any(String));
      expect(sent.answers).toEqual([{ ok: true, duplicate: false, status: "PICKED_UP" }]);
      expect(await shipment(w.packageId)).toEqual({
        packageId: w.packageId,
        orderNo: w.orderNo,
        carrier,
        trackingNo: w.trackingNo,
        status: "PICKED_UP",
        events: [{ status: "PICKED_UP", at: T(5), description: "Courier Wang picked it up" }],
      });
      const expected = {
        packageId: w.packageId,
        orderNo: w.orderNo,
        carrier,
        trackingNo: w.trackingNo,
        status: "PICKED_UP",
        at: T(5),
      };
      expect(await outbox(w.packageId)).toEqual([expected]);
      await eventually("logistics.status-changed delivered", () => delivered(w.packageId).length === 1);
      expect(delivered(w.packageId)[0]).toMatchObject({
        name: "logistics.status-changed",
        payload: expected,
      });
    },
  );

  it("applies duplicated webhooks once: one stored event, one move, one outbox event", async () => {
    const w = await waybill("ZTO");
    const sent = await sandbox(w, "IN_TRANSIT", { duplicates: 4 });
    expect(sent.webhooks).toBe(5);
    expect(sent.answers.filter((a: any) => a.duplicate === false)).toHaveLength(1);
    expect(sent.answers.filter((a: any) => a.duplicate === true)).toHaveLength(4);
    expect(await storedEvents(w)).toBe(1);
    expect(await outbox(w.packageId)).toHaveLength(1);
    expect((await shipment(w.packageId)).status).toBe("IN_TRANSIT");
    // A replay of the stored webhook later is a duplicate too.
    const { rows } = await sys.pool.query("SELECT raw_body FROM tracking_events WHERE event_id = $1", [
      sent.eventId,
    ]);
    const replay = await callback("zto", {
      rawBody: rows[0].raw_body,
      signature: signAs("ZTO", rows[0].raw_body),
    });
    expect(replay).toEqual({ ok: true, duplicate: true, status: "IN_TRANSIT" });
    expect(await outbox(w.packageId)).toHaveLength(1);
  });

  it("stays SIGNED when an older IN_TRANSIT arrives after it, and shows both in time order", async () => {
    const w = await waybill("YTO");
    await sandbox(w, "SIGNED", { at: T(40) });
    const late = await sandbox(w, "IN_TRANSIT", { at: T(20) });
    expect(late.answers).toEqual([{ ok: true, duplicate: false, status: "SIGNED" }]);
    const s = await shipment(w.packageId);
    expect(s.status).toBe("SIGNED");
    expect(s.events.map((e: any) => [e.status, e.at])).toEqual([
      ["IN_TRANSIT", T(20)],
      ["SIGNED", T(40)],
    ]);
    expect((await outbox(w.packageId)).map((p) => p.status)).toEqual(["SIGNED"]);
  });

  it("moves IN_TRANSIT to EXCEPTION only with a later event", async () => {
    const w = await waybill("JD");
    await sandbox(w, "IN_TRANSIT", { at: T(10) });
    await sandbox(w, "EXCEPTION", { at: T(5), description: "Address unclear" });
    expect((await shipment(w.packageId)).status).toBe("IN_TRANSIT");
    await sandbox(w, "EXCEPTION", { at: T(15), description: "Parcel damaged" });
    expect((await shipment(w.packageId)).status).toBe("EXCEPTION");
    await sandbox(w, "IN_TRANSIT", { at: T(12) });
    expect((await shipment(w.packageId)).status).toBe("EXCEPTION");
    await sandbox(w, "IN_TRANSIT", { at: T(20) });
    expect((await shipment(w.packageId)).status).toBe("IN_TRANSIT");
    expect((await outbox(w.packageId)).map((p) => [p.status, p.at])).toEqual([
      ["IN_TRANSIT", T(10)],
      ["EXCEPTION", T(15)],
      ["IN_TRANSIT", T(20)],
    ]);
    expect(await storedEvents(w)).toBe(5);
  });

  it("ends at the same status with one outbox event per forward move, whatever the arrival order", async () => {
    const w = await waybill("CAINIAO");
    const route: [LogisticsStatus, number][] = [
      ["OUT_FOR_DELIVERY", 30],
      ["PICKED_UP", 1],
      ["SIGNED", 45],
      ["IN_TRANSIT", 10],
      ["CREATED", 0],
    ];
    for (const [status, minute] of route) await sandbox(w, status, { at: T(minute), duplicates: 1 });
    const s = await shipment(w.packageId);
    expect(s.status).toBe("SIGNED");
    expect(s.events.map((e: any) => e.status)).toEqual([
      "CREATED",
      "PICKED_UP",
      "IN_TRANSIT",
      "OUT_FOR_DELIVERY",
      "SIGNED",
    ]);
    expect((await outbox(w.packageId)).map((p) => p.status)).toEqual(["OUT_FOR_DELIVERY", "SIGNED"]);
    await eventually("both moves delivered", () => delivered(w.packageId).length === 2);
  });

  it("applies concurrent webhooks of one package under its lock: the highest status wins, moves announced once", async () => {
    const w = await waybill("SF");
    const statuses: LogisticsStatus[] = [
      "PICKED_UP",
      "IN_TRANSIT",
      "OUT_FOR_DELIVERY",
      "IN_TRANSIT",
      "PICKED_UP",
    ];
    await Promise.all(statuses.map((status, i) => sandbox(w, status, { at: T(i), duplicates: 2 })));
    expect((await shipment(w.packageId)).status).toBe("OUT_FOR_DELIVERY");
    expect(await storedEvents(w)).toBe(5);
    const moves = (await outbox(w.packageId)).map((p) => p.status);
    expect(moves[moves.length - 1]).toBe("OUT_FOR_DELIVERY");
    expect(new Set(moves).size).toBe(moves.length);
  });

  it("refuses a webhook without or with a wrong signature (401) and stores nothing", async () => {
    const w = await waybill("SF");
    const doc = carrierWebhook("SF", { trackingNo: w.trackingNo, status: "SIGNED", at: T(1) });
    for (const bad of [
      { rawBody: doc.rawBody },
      { rawBody: doc.rawBody, signature: "" },
      { rawBody: doc.rawBody, signature: "0".repeat(64) },
      { rawBody: doc.rawBody, signature: signBody("guessed-key", doc.rawBody) },
      { rawBody: doc.rawBody.replace('"80"', '"44"'), signature: doc.signature },
      { signature: doc.signature },
    ]) {
      await expect(callback("SF", bad)).rejects.toMatchObject({ type: "INVALID_SIGNATURE", code: 401 });
    }
    // Signed with another carrier's key: each carrier has its own.
    const zto = carrierWebhook(
      "SF",
      { trackingNo: w.trackingNo, status: "SIGNED", at: T(1) },
      carrierSecrets(config).ZTO,
    );
    await expect(callback("SF", zto)).rejects.toMatchObject({ type: "INVALID_SIGNATURE" });
    await expect(callback("ZTO", doc)).rejects.toMatchObject({ type: "INVALID_SIGNATURE" });
    await expectUntouched(w);
  });

  it("answers 404 for a tracking number no package has, and stores nothing", async () => {
    const trackingNo = typedTrackingNo("JD");
    const doc = carrierWebhook("JD", { trackingNo, status: "PICKED_UP", at: T(1) });
    await expect(callback("jd", doc)).rejects.toMatchObject({
      type: "NOT_FOUND",
      code: 404,
      data: { trackingNo },
    });
    expect(
      await count(sys.pool, "SELECT count(*) AS n FROM tracking_events WHERE tracking_no = $1", [trackingNo]),
    ).toBe(0);
    // The same number of another carrier is another waybill.
    const w = await waybill("YTO");
    const misrouted = carrierWebhook("SF", { trackingNo: w.trackingNo, status: "PICKED_UP", at: T(1) });
    await expect(callback("SF", misrouted)).rejects.toMatchObject({ type: "NOT_FOUND" });
    await expectUntouched(w);
  });

  it("refuses an unknown carrier and a signed body that is not the carrier's format", async () => {
    const w = await waybill("SF");
    const doc = carrierWebhook("SF", { trackingNo: w.trackingNo, status: "SIGNED", at: T(1) });
    await expect(callback("DHL", doc)).rejects.toMatchObject({
      type: "CARRIER_UNKNOWN",
      data: { field: "carrier" },
    });
    const rawBody = JSON.stringify({ WaybillRoute: { id: "1", mailno: w.trackingNo, opCode: "80" } });
    await expect(callback("SF", { rawBody, signature: signAs("SF", rawBody) })).rejects.toMatchObject({
      type: "BAD_REQUEST",
      code: 400,
      data: { field: "WaybillRoute.acceptTime" },
    });
    await expectUntouched(w);
  });

  it("sends the sandbox webhooks later when asked", async () => {
    const w = await waybill("ZTO");
    const sent = await sandbox(w, "PICKED_UP", { delayMs: 100, duplicates: 2 });
    expect(sent).toMatchObject({ webhooks: 3, delayed: true, answers: [] });
    expect((await shipment(w.packageId)).status).toBe("CREATED");
    await eventually(
      "the delayed webhooks",
      async () => (await shipment(w.packageId)).status === "PICKED_UP",
    );
    await eventually("all three delivered", async () => (await storedEvents(w)) === 1);
    expect(await outbox(w.packageId)).toHaveLength(1);
  });

  it("sends sandbox events for typed-in numbers too, and 404 for numbers no package has", async () => {
    const pkg = newPackage();
    const trackingNo = typedTrackingNo("CAINIAO");
    await call("logistics.registerShipment", { carrier: "CAINIAO", trackingNo, ...pkg, method: "MANUAL" });
    const sent = await sandbox({ carrier: "CAINIAO", trackingNo }, "PICKED_UP");
    expect(sent.answers).toEqual([{ ok: true, duplicate: false, status: "PICKED_UP" }]);
    await expect(
      sandbox({ carrier: "CAINIAO", trackingNo: typedTrackingNo("CAINIAO") }, "SIGNED"),
    ).rejects.toMatchObject({
      type: "NOT_FOUND",
      code: 404,
    });
    await expect(sandbox({ carrier: "UPS" as Carrier, trackingNo }, "SIGNED")).rejects.toMatchObject({
      type: "CARRIER_UNKNOWN",
    });
    await expect(
      sandbox({ carrier: "CAINIAO", trackingNo }, "SIGNED", { at: "yesterday" }),
    ).rejects.toMatchObject({
      type: "VALIDATION_FAILED",
      data: { field: "at" },
    });
  });
});
