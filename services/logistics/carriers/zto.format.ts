import type { LogisticsStatus } from "../../../shared/contracts/logistics.contract";
import type { CarrierEvent } from "../domain/carrier-event";
import type { CarrierFormat } from "./carrier";
import { BodyReader, digitsOf, fromShanghai, serialDigits, shanghaiTime, statusOfCode } from "./wire-kit";

/** ZTO scan types, in ZTO's own words. */
const SCAN_TYPES: Record<LogisticsStatus, string> = {
  CREATED: "下单",
  PICKED_UP: "收件",
  IN_TRANSIT: "发件",
  OUT_FOR_DELIVERY: "派件",
  SIGNED: "签收",
  EXCEPTION: "问题件",
  RETURNED: "退件签收",
};
/** 到件 (arrived at a hub) is in transit too. */
const ALIASES: Record<string, LogisticsStatus> = { 到件: "IN_TRANSIT" };

/**
 * ZTO Express (中通): waybills of 12 digits starting 5 or 7, or 14 digits starting 7 (issued: `75` + 12);
 * pushes `{msg_type: "TRACE_PUSH", data: {push_id, bill_code, scan_type, scan_date (Shanghai), desc}}`.
 */
export const ZTO_FORMAT: CarrierFormat = {
  code: "ZTO",
  trackingNoShape: "12 digits starting 5 or 7, or 14 digits starting 7",
  isTrackingNo: (trackingNo) => /^([57]\d{11}|7\d{13})$/.test(trackingNo),
  trackingNoOf: (serial) => `75${serialDigits(serial, 12)}`,
  eventId: (random) => `ZTO${digitsOf(random, 20)}`,
  encode: (e: CarrierEvent) =>
    JSON.stringify({
      msg_type: "TRACE_PUSH",
      data: {
        push_id: e.eventId,
        bill_code: e.trackingNo,
        scan_type: SCAN_TYPES[e.status],
        scan_date: shanghaiTime(e.at),
        desc: e.description ?? "",
      },
    }),
  decode(rawBody: string): CarrierEvent {
    const body = BodyReader.parse("ZTO", rawBody);
    if (body.get("msg_type") !== "TRACE_PUSH") throw body.bad("msg_type");
    const description = body.optionalText("data.desc");
    return {
      eventId: body.text("data.push_id"),
      trackingNo: body.text("data.bill_code", 64),
      status: body.as("data.scan_type", (code) => statusOfCode(SCAN_TYPES, ALIASES, code)),
      at: body.as("data.scan_date", fromShanghai),
      ...(description !== undefined ? { description } : {}),
    };
  },
};
