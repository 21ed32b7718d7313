import { presentPackage } from "../../../services/warehouse/domain/package-view";
import type { ShipmentRecord } from "../../../shared/contracts/logistics.contract";
import { pkg, T1 } from "./package-fixtures";

const waybill = { method: "ONLINE_WAYBILL", carrier: "SF", trackingNo: "SF1000000000042" } as const;
const shipment = (patch: Partial<ShipmentRecord> = {}): ShipmentRecord => ({
  packageId: "2026112600000001-1",
  orderNo: "2026112600000001",
  carrier: "SF",
  trackingNo: "SF1000000000042",
  status: "CREATED",
  events: [],
  ...patch,
});

describe("presentPackage and a cancelled waybill", () => {
  it("shows when the intercepted package's waybill was cancelled at the carrier", () => {
    const intercepted = pkg(1, { a: 0 }, { ...waybill, status: "INTERCEPTED" });
    const view = presentPackage(intercepted, shipment({ cancelledAt: "2026-11-26T09:00:00.000Z" }));
    expect(view).toMatchObject({
      status: "INTERCEPTED",
      lines: [],
      trackingNo: "SF1000000000042",
      logisticsStatus: "CREATED",
      waybillCancelledAt: "2026-11-26T09:00:00.000Z",
    });
  });

  it("leaves it out while the waybill is live or logistics could not be asked", () => {
    const printed = pkg(1, { a: 2 }, { ...waybill, status: "WAYBILL_PRINTED" });
    printed.task.waybillPrintedAt = T1;
    expect(presentPackage(printed, shipment())).not.toHaveProperty("waybillCancelledAt");
    expect(presentPackage(printed, null)).not.toHaveProperty("waybillCancelledAt");
  });
});
