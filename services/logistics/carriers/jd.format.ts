import type { LogisticsStatus } from "../../../shared/contracts/logistics.contract";
import type { CarrierEvent } from "../domain/carrier-event";
import type { CarrierFormat } from "./carrier";
import { BodyReader, digitsOf, fromEpochMs, serialDigits, statusOfCode } from "./wire-kit";

/** JD Logistics waybill state codes. */
const STATES: Record<LogisticsStatus, string> = {
  CREATED: "100",
  PICKED_UP: "200",
  IN_TRANSIT: "300",
  OUT_FOR_DELIVERY: "400",
  SIGNED: "500",
  EXCEPTION: "600",
  RETURNED: "700",
};

/**
 * JD Logistics (京东物流): waybills `JD` + 13 digits, or `JDV` + a letter A-F + 11 digits (issued:
 * `JDVA` + 11); pushes `{eventId, waybillCode, state, operateTime (epoch milliseconds), opeRemark}`.
 */
export const JD_FORMAT: CarrierFormat = {
  code: "JD",
  trackingNoShape: "JD + 13 digits, or JDV + A-F + 11 digits",
  isTrackingNo: (trackingNo) => /^JD(\d{13}|V[A-F]\d{11})$/.test(trackingNo),
  trackingNoOf: (serial) => `JDVA${serialDigits(serial, 11)}`,
  eventId: (random) => `JD-${digitsOf(random, 20)}`,
  encode: (e: CarrierEvent) =>
    JSON.stringify({
      eventId: e.eventId,
      waybillCode: e.trackingNo,
      state: STATES[e.status],
      operateTime: Date.parse(e.at),
      opeRemark: e.description ?? "",
    }),
  decode(rawBody: string): CarrierEvent {
    const body = BodyReader.parse("JD", rawBody);
    const description = body.optionalText("opeRemark");
    return {
      eventId: body.text("eventId"),
      trackingNo: body.text("waybillCode", 64),
      status: body.as("state", (code) => statusOfCode(STATES, {}, code)),
      at: body.as("operateTime", fromEpochMs),
      ...(description !== undefined ? { description } : {}),
    };
  },
};
