import type { LogisticsStatus } from "../../../shared/contracts/logistics.contract";
import type { CarrierEvent } from "../domain/carrier-event";
import type { CarrierFormat } from "./carrier";
import { BodyReader, digitsOf, fromShanghai, serialDigits, shanghaiTime, statusOfCode } from "./wire-kit";

/** SF route operation codes (opCode). */
const OP_CODES: Record<LogisticsStatus, string> = {
  CREATED: "10",
  PICKED_UP: "50",
  IN_TRANSIT: "30",
  OUT_FOR_DELIVERY: "44",
  SIGNED: "80",
  EXCEPTION: "70",
  RETURNED: "99",
};
/** Other codes SF sends for the same statuses: 31 arrived at a hub, 33 delivery failed. */
const ALIASES: Record<string, LogisticsStatus> = { "31": "IN_TRANSIT", "33": "EXCEPTION" };

/**
 * SF Express (顺丰): waybills `SF` + 12 or 13 digits (issued: `SF1` + 12); route pushes
 * `{WaybillRoute: {id, mailno, opCode, acceptTime (Shanghai, whole seconds), remark}}`.
 */
export const SF_FORMAT: CarrierFormat = {
  code: "SF",
  trackingNoShape: "SF + 12 or 13 digits",
  isTrackingNo: (trackingNo) => /^SF\d{12,13}$/.test(trackingNo),
  trackingNoOf: (serial) => `SF1${serialDigits(serial, 12)}`,
  eventId: (random) => digitsOf(random, 19),
  encode: (e: CarrierEvent) =>
    JSON.stringify({
      WaybillRoute: {
        id: e.eventId,
        mailno: e.trackingNo,
        opCode: OP_CODES[e.status],
        acceptTime: shanghaiTime(e.at),
        remark: e.description ?? "",
      },
    }),
  decode(rawBody: string): CarrierEvent {
    const body = BodyReader.parse("SF", rawBody);
    const description = body.optionalText("WaybillRoute.remark");
    return {
      eventId: body.text("WaybillRoute.id"),
      trackingNo: body.text("WaybillRoute.mailno", 64),
      status: body.as("WaybillRoute.opCode", (code) => statusOfCode(OP_CODES, ALIASES, code)),
      at: body.as("WaybillRoute.acceptTime", fromShanghai),
      ...(description !== undefined ? { description } : {}),
    };
  },
};
