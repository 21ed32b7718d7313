import "./logistics-env";
import "./sandbox-off-env";
import { config } from "../../../shared/config/config";
import {
  ADDRESS,
  carrierWebhook,
  newPackage,
  typedTrackingNo,
  useLogisticsSystem,
} from "./logistics-harness";

describe("logistics without the sandbox carriers (LOGISTICS_SANDBOX=false)", () => {
  const sys = useLogisticsSystem();

  it("runs with the sandbox off", () => {
    expect(config.logisticsSandbox).toBe(false);
  });

  it("refuses online waybills with WAYBILL_UNAVAILABLE naming the carrier", async () => {
    const pkg = newPackage();
    await expect(
      sys.call("logistics.createWaybill", { carrier: "SF", ...pkg, address: ADDRESS, weightGrams: 500 }),
    ).rejects.toMatchObject({ type: "WAYBILL_UNAVAILABLE", code: 422, data: { carrier: "SF" } });
    expect((await sys.call("logistics.tracking", { packageIds: [pkg.packageId] })).items).toEqual([]);
  });

  it("has no sandbox event endpoint (404), while real carriers' signed webhooks still apply", async () => {
    const pkg = newPackage();
    const trackingNo = typedTrackingNo("JD");
    await sys.call("logistics.registerShipment", { carrier: "JD", trackingNo, ...pkg, method: "MANUAL" });
    await expect(
      sys.call("logistics.sandboxEvent", { carrier: "JD", trackingNo, status: "SIGNED" }),
    ).rejects.toMatchObject({ type: "NOT_FOUND", code: 404 });
    const doc = carrierWebhook("JD", { trackingNo, status: "PICKED_UP", at: new Date().toISOString() });
    expect(await sys.call("logistics.callback", { carrier: "JD", ...doc })).toEqual({
      ok: true,
      duplicate: false,
      status: "PICKED_UP",
    });
  });
});
