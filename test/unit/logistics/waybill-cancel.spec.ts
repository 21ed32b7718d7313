import { type Shipment, shipmentRecord } from "../../../services/logistics/domain/shipment";
import {
  assertWaybillLive,
  isFinalRefusal,
  needsCarrierCancel,
} from "../../../services/logistics/domain/waybill-cancel";
import { LOGISTICS_STATUSES } from "../../../shared/contracts/logistics.contract";
import { OmsError } from "../../../shared/errors";

const T = "2026-11-26T08:00:00.000Z";

const shipment = (patch: Partial<Shipment> = {}): Shipment => ({
  packageId: "2026112600000001-1",
  orderNo: "2026112600000001",
  carrier: "SF",
  trackingNo: "SF1000000000042",
  method: "ONLINE_WAYBILL",
  status: "CREATED",
  statusAt: null,
  cancelledAt: null,
  ...patch,
});

/** What a refusal says: its type, code and details. */
function refusal(run: () => unknown) {
  try {
    run();
  } catch (err) {
    const e = err as OmsError;
    return { type: e.type, code: e.code, data: e.data };
  }
  throw new Error("expected a refusal");
}

describe("needsCarrierCancel", () => {
  it("asks the carrier for a live online waybill the carrier does not have yet", () => {
    expect(needsCarrierCancel(shipment())).toBe(true);
    expect(needsCarrierCancel(shipment({ statusAt: T }))).toBe(true);
  });

  it("answers a cancelled waybill from its record, whatever else it shows", () => {
    expect(needsCarrierCancel(shipment({ cancelledAt: T }))).toBe(false);
    expect(needsCarrierCancel(shipment({ cancelledAt: T, method: "MANUAL", status: "SIGNED" }))).toBe(false);
  });

  it.each(LOGISTICS_STATUSES.filter((s) => s !== "CREATED"))(
    "refuses with WAYBILL_PICKED_UP once the carrier reported %s",
    (status) => {
      expect(refusal(() => needsCarrierCancel(shipment({ status, statusAt: T })))).toEqual({
        type: "CONFLICT",
        code: 409,
        data: {
          reason: "WAYBILL_PICKED_UP",
          packageId: "2026112600000001-1",
          carrier: "SF",
          trackingNo: "SF1000000000042",
          status,
        },
      });
    },
  );

  it("refuses a number the merchant typed in (MANUAL): it was not issued for us", () => {
    expect(refusal(() => needsCarrierCancel(shipment({ method: "MANUAL" })))).toMatchObject({
      type: "CONFLICT",
      data: { reason: "NOT_ONLINE_WAYBILL", trackingNo: "SF1000000000042" },
    });
  });
});

describe("assertWaybillLive", () => {
  it("lets a live waybill through and refuses a cancelled one with WAYBILL_CANCELLED", () => {
    expect(() => assertWaybillLive(shipment())).not.toThrow();
    expect(refusal(() => assertWaybillLive(shipment({ cancelledAt: T })))).toEqual({
      type: "CONFLICT",
      code: 409,
      data: {
        reason: "WAYBILL_CANCELLED",
        packageId: "2026112600000001-1",
        carrier: "SF",
        trackingNo: "SF1000000000042",
        cancelledAt: T,
      },
    });
  });
});

describe("isFinalRefusal", () => {
  it("gives up only on a 409 refusal; carrier outages and missing adapters are retried", () => {
    expect(isFinalRefusal(new OmsError("CONFLICT", "picked up", { reason: "WAYBILL_PICKED_UP" }))).toBe(true);
    expect(isFinalRefusal({ type: "CONFLICT", code: 409 })).toBe(true);
    expect(isFinalRefusal(new Error("socket hang up"))).toBe(false);
    expect(isFinalRefusal(new OmsError("WAYBILL_UNAVAILABLE", "no adapter", { carrier: "SF" }))).toBe(false);
    expect(isFinalRefusal({ type: "REQUEST_TIMEOUT", code: 504 })).toBe(false);
    expect(isFinalRefusal(null)).toBe(false);
  });
});

describe("shipmentRecord", () => {
  it("shows cancelledAt only once the waybill is cancelled", () => {
    expect(shipmentRecord(shipment(), [])).not.toHaveProperty("cancelledAt");
    expect(shipmentRecord(shipment({ cancelledAt: T }), [])).toMatchObject({
      cancelledAt: T,
      status: "CREATED",
    });
  });
});
