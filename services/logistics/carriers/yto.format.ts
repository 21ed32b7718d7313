import type { LogisticsStatus } from "../../../shared/contracts/logistics.contract";
import type { CarrierEvent } from "../domain/carrier-event";
import type { CarrierFormat } from "./carrier";
import { BodyReader, digitsOf, fromShanghai, serialDigits, shanghaiTime, statusOfCode } from "./wire-kit";

/** YTO info content codes. */
const INFO_CONTENT: Record<LogisticsStatus, string> = {
  CREATED: "ACCEPT",
  PICKED_UP: "GOT",
  IN_TRANSIT: "DEPARTURE",
  OUT_FOR_DELIVERY: "SENT_SCAN",
  SIGNED: "SIGNED",
  EXCEPTION: "FAILED",
  RETURNED: "TMS_RETURN",
};
const ALIASES: Record<string, LogisticsStatus> = { ARRIVAL: "IN_TRANSIT" };

/**
 * YTO Express (圆通): waybills `YT` + 13 digits (issued: `YT8` + 12); pushes
 * `{logisticProviderID: "YTO", eventNo, mailNo, infoContent, acceptTime (Shanghai), remark}`.
 */
export const YTO_FORMAT: CarrierFormat = {
  code: "YTO",
  trackingNoShape: "YT + 13 digits",
  isTrackingNo: (trackingNo) => /^YT\d{13}$/.test(trackingNo),
  trackingNoOf: (serial) => `YT8${serialDigits(serial, 12)}`,
  eventId: (random) => `YTE${digitsOf(random, 18)}`,
  encode: (e: CarrierEvent) =>
    JSON.stringify({
      logisticProviderID: "YTO",
      eventNo: e.eventId,
      mailNo: e.trackingNo,
      infoContent: INFO_CONTENT[e.status],
      acceptTime: shanghaiTime(e.at),
      remark: e.description ?? "",
    }),
  decode(rawBody: string): CarrierEvent {
    const body = BodyReader.parse("YTO", rawBody);
    if (body.get("logisticProviderID") !== "YTO") throw body.bad("logisticProviderID");
    const description = body.optionalText("remark");
    return {
      eventId: body.text("eventNo"),
      trackingNo: body.text("mailNo", 64),
      status: body.as("infoContent", (code) => statusOfCode(INFO_CONTENT, ALIASES, code)),
      at: body.as("acceptTime", fromShanghai),
      ...(description !== undefined ? { description } : {}),
    };
  },
};
