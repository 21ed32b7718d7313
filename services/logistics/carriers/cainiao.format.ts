import type { LogisticsStatus } from "../../../shared/contracts/logistics.contract";
import type { CarrierEvent } from "../domain/carrier-event";
import type { CarrierFormat } from "./carrier";
import { BodyReader, digitsOf, fromShanghai, serialDigits, shanghaiTime, statusOfCode } from "./wire-kit";

/** Cainiao trace actions. */
const ACTIONS: Record<LogisticsStatus, string> = {
  CREATED: "CREATE",
  PICKED_UP: "GOT",
  IN_TRANSIT: "TRANSPORT",
  OUT_FOR_DELIVERY: "DELIVERING",
  SIGNED: "SIGN",
  EXCEPTION: "FAILED",
  RETURNED: "RETURN",
};
const ALIASES: Record<string, LogisticsStatus> = { ARRIVAL: "IN_TRANSIT", DEPARTURE: "IN_TRANSIT" };

/**
 * Cainiao (菜鸟): waybills `LP` + 14 digits (issued: `LP00` + 12); pushes
 * `{msg_type: "LOGISTICS_TRACE_PUSH", msg_id, logistics_interface: {mailNo, action, time (Shanghai), desc}}`.
 */
export const CAINIAO_FORMAT: CarrierFormat = {
  code: "CAINIAO",
  trackingNoShape: "LP + 14 digits",
  isTrackingNo: (trackingNo) => /^LP\d{14}$/.test(trackingNo),
  trackingNoOf: (serial) => `LP00${serialDigits(serial, 12)}`,
  eventId: (random) => `CN${digitsOf(random, 22)}`,
  encode: (e: CarrierEvent) =>
    JSON.stringify({
      msg_type: "LOGISTICS_TRACE_PUSH",
      msg_id: e.eventId,
      logistics_interface: {
        mailNo: e.trackingNo,
        action: ACTIONS[e.status],
        time: shanghaiTime(e.at),
        desc: e.description ?? "",
      },
    }),
  decode(rawBody: string): CarrierEvent {
    const body = BodyReader.parse("CAINIAO", rawBody);
    if (body.get("msg_type") !== "LOGISTICS_TRACE_PUSH") throw body.bad("msg_type");
    const description = body.optionalText("logistics_interface.desc");
    return {
      eventId: body.text("msg_id"),
      trackingNo: body.text("logistics_interface.mailNo", 64),
      status: body.as("logistics_interface.action", (code) => statusOfCode(ACTIONS, ALIASES, code)),
      at: body.as("logistics_interface.time", fromShanghai),
      ...(description !== undefined ? { description } : {}),
    };
  },
};
