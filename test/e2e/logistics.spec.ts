import "../integration/logistics/logistics-env";
import {
  ADDRESS,
  carrierWebhook,
  count,
  eventually,
  newPackage,
  useLogisticsSystem,
} from "../integration/logistics/logistics-harness";
import { request } from "../support/http";

/** The carrier-facing logistics API over HTTP: gateway + logistics. */
describe("logistics API", () => {
  const sys = useLogisticsSystem(true);

  async function waybill(carrier = "SF") {
    const pkg = newPackage();
    const { trackingNo } = await sys.call("logistics.createWaybill", {
      carrier,
      ...pkg,
      address: ADDRESS,
      weightGrams: 2_000,
    });
    return { ...pkg, trackingNo };
  }
  const status = async (packageId: string) =>
    (await sys.call("logistics.tracking", { packageIds: [packageId] })).items[0]?.status;
  const stored = (trackingNo: string) =>
    count(sys.pool, "SELECT count(*) AS n FROM tracking_events WHERE tracking_no = $1", [trackingNo]);
  const sandboxPath = (carrier: string, trackingNo: string) =>
    `/api/v1/sandbox/carriers/${carrier}/waybills/${trackingNo}/events`;

  it("refuses an unsigned or wrongly signed carrier webhook with 401 and changes nothing", async () => {
    const w = await waybill("SF");
    const doc = carrierWebhook("SF", {
      trackingNo: w.trackingNo,
      status: "SIGNED",
      at: new Date().toISOString(),
    });
    const unsigned = await request(sys.baseUrl, "POST", "/api/v1/logistics/callbacks/sf", {
      rawBody: doc.rawBody,
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body).toEqual({
      error: { code: "INVALID_SIGNATURE", message: expect.any(String), details: { header: "X-Signature" } },
    });
    const wrong = await request(sys.baseUrl, "POST", "/api/v1/logistics/callbacks/sf", {
      rawBody: doc.rawBody,
      headers: { "x-signature": "a".repeat(64) },
    });
    expect(wrong.status).toBe(401);
    // Signed over other bytes than those sent (re-serialised JSON): still refused.
    const reformatted = await request(sys.baseUrl, "POST", "/api/v1/logistics/callbacks/sf", {
      rawBody: JSON.stringify(JSON.parse(doc.rawBody), null, 2),
      headers: { "x-signature": doc.signature },
    });
    expect(reformatted.status).toBe(401);
    expect(await status(w.packageId)).toBe("CREATED");
    expect(await stored(w.trackingNo)).toBe(0);
  });

  it("applies a carrier's webhook signed in X-Signature over the raw body, once", async () => {
    const w = await waybill("ZTO");
    const doc = carrierWebhook("ZTO", {
      trackingNo: w.trackingNo,
      status: "IN_TRANSIT",
      at: new Date().toISOString(),
      description: "快件已到达【杭州转运中心】",
    });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(sys.baseUrl, "POST", "/api/v1/logistics/callbacks/zto", {
        rawBody: doc.rawBody,
        headers: { "x-signature": doc.signature },
      });
      expect(res.status).toBe(200);
      answers.push(res.body);
    }
    expect(answers).toEqual([
      { ok: true, duplicate: false, status: "IN_TRANSIT" },
      { ok: true, duplicate: true, status: "IN_TRANSIT" },
      { ok: true, duplicate: true, status: "IN_TRANSIT" },
    ]);
    expect(await stored(w.trackingNo)).toBe(1);
    const [shipment] = (await sys.call("logistics.tracking", { packageIds: [w.packageId] })).items;
    expect(shipment.events[0].description).toBe("快件已到达【杭州转运中心】");
  });

  it("answers 404 for an unknown tracking number and 422 for an unknown carrier", async () => {
    const doc = carrierWebhook("JD", {
      trackingNo: "JD0000000000000",
      status: "SIGNED",
      at: new Date().toISOString(),
    });
    const unknown = await request(sys.baseUrl, "POST", "/api/v1/logistics/callbacks/jd", {
      rawBody: doc.rawBody,
      headers: { "x-signature": doc.signature },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    const carrier = await request(sys.baseUrl, "POST", "/api/v1/logistics/callbacks/dhl", {
      rawBody: doc.rawBody,
      headers: { "x-signature": doc.signature },
    });
    expect(carrier.status).toBe(422);
    expect(carrier.body.error).toMatchObject({ code: "CARRIER_UNKNOWN", details: { field: "carrier" } });
  });

  it("triggers the sandbox carrier's signed webhooks, without a token", async () => {
    const w = await waybill("YTO");
    const res = await request(sys.baseUrl, "POST", sandboxPath("yto", w.trackingNo), {
      body: { status: "PICKED_UP", at: "2026-11-26T01:00:00.000Z", duplicates: 2 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      carrier: "YTO",
      trackingNo: w.trackingNo,
      status: "PICKED_UP",
      at: "2026-11-26T01:00:00.000Z",
      webhooks: 3,
      delayed: false,
    });
    expect(res.body.answers.filter((a: any) => !a.duplicate)).toHaveLength(1);
    expect(await status(w.packageId)).toBe("PICKED_UP");
    expect(await stored(w.trackingNo)).toBe(1);

    const later = await request(sys.baseUrl, "POST", sandboxPath("YTO", w.trackingNo), {
      body: { status: "SIGNED", delayMs: 50 },
    });
    expect(later.body).toMatchObject({ webhooks: 1, delayed: true, answers: [] });
    await eventually("the delayed webhook", async () => (await status(w.packageId)) === "SIGNED");
  });

  it("answers the sandbox trigger with 404 for an unknown waybill and 422 for bad input", async () => {
    const missing = await request(sys.baseUrl, "POST", sandboxPath("sf", "SF9999999999999"), {
      body: { status: "SIGNED" },
    });
    expect(missing.status).toBe(404);
    const w = await waybill("CAINIAO");
    const badStatus = await request(sys.baseUrl, "POST", sandboxPath("cainiao", w.trackingNo), {
      body: { status: "LOST" },
    });
    expect(badStatus.status).toBe(422);
    expect(badStatus.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field: "status" } });
    const badCarrier = await request(sys.baseUrl, "POST", sandboxPath("ems", w.trackingNo), {
      body: { status: "SIGNED" },
    });
    expect(badCarrier.status).toBe(422);
    expect(badCarrier.body.error.code).toBe("CARRIER_UNKNOWN");
    expect(await status(w.packageId)).toBe("CREATED");
  });

  it("documents the carrier routes in the OpenAPI document", async () => {
    const doc = (await request(sys.baseUrl, "GET", "/api/openapi.json")).body;
    expect(doc.paths["/api/v1/logistics/callbacks/{carrier}"]).toBeDefined();
    expect(doc.paths["/api/v1/sandbox/carriers/{carrier}/waybills/{trackingNo}/events"]).toBeDefined();
  });
});
