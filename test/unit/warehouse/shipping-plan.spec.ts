import { planShipping } from "../../../services/warehouse/domain/shipping-plan";

const unprinted = { method: null, carrier: null, trackingNo: null };
const printed = { method: "ONLINE_WAYBILL" as const, carrier: "SF" as const, trackingNo: "SF1000000001" };
const req = (method: "ONLINE_WAYBILL" | "MANUAL" | "NO_LOGISTICS", more = {}) => ({
  packageId: "p-1",
  method,
  ...more,
});
const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { type: (err as { type: string }).type, field: (err as { data: { field?: string } }).data.field };
  }
  throw new Error("expected a failure");
};

describe("planShipping", () => {
  it("uses the printed waybill for ONLINE_WAYBILL", () => {
    expect(planShipping(printed, req("ONLINE_WAYBILL"))).toEqual({
      kind: "PRINTED",
      carrier: "SF",
      trackingNo: "SF1000000001",
    });
    expect(planShipping(printed, req("ONLINE_WAYBILL", { carrier: "SF" })).kind).toBe("PRINTED");
  });

  it("asks the carrier for a waybill when none was printed", () => {
    expect(planShipping(unprinted, req("ONLINE_WAYBILL", { carrier: "ZTO" }))).toEqual({
      kind: "NEW_WAYBILL",
      carrier: "ZTO",
    });
  });

  it("needs a carrier for ONLINE_WAYBILL without a printed waybill", () => {
    expect(failure(() => planShipping(unprinted, req("ONLINE_WAYBILL")))).toEqual({
      type: "CARRIER_REQUIRED",
      field: "carrier",
    });
  });

  it("refuses another carrier or a typed number for a printed waybill", () => {
    expect(failure(() => planShipping(printed, req("ONLINE_WAYBILL", { carrier: "JD" })))).toEqual({
      type: "VALIDATION_FAILED",
      field: "carrier",
    });
    expect(failure(() => planShipping(printed, req("ONLINE_WAYBILL", { trackingNo: "X1" })))).toEqual({
      type: "VALIDATION_FAILED",
      field: "trackingNo",
    });
  });

  it("needs a carrier and a tracking number for MANUAL", () => {
    expect(failure(() => planShipping(unprinted, req("MANUAL", { trackingNo: "SF1" })))).toEqual({
      type: "CARRIER_REQUIRED",
      field: "carrier",
    });
    expect(
      failure(() => planShipping(unprinted, req("MANUAL", { carrier: "SF", trackingNo: "  " }))),
    ).toEqual({
      type: "VALIDATION_FAILED",
      field: "trackingNo",
    });
    expect(planShipping(printed, req("MANUAL", { carrier: "YTO", trackingNo: " YT123 " }))).toEqual({
      kind: "MANUAL",
      carrier: "YTO",
      trackingNo: "YT123",
    });
  });

  it("takes neither carrier nor number for NO_LOGISTICS", () => {
    expect(planShipping(unprinted, req("NO_LOGISTICS"))).toEqual({ kind: "NO_LOGISTICS" });
    expect(failure(() => planShipping(unprinted, req("NO_LOGISTICS", { carrier: "SF" })))).toEqual({
      type: "VALIDATION_FAILED",
      field: "carrier",
    });
    expect(failure(() => planShipping(unprinted, req("NO_LOGISTICS", { trackingNo: "1" })))).toEqual({
      type: "VALIDATION_FAILED",
      field: "trackingNo",
    });
  });
});
