import { CARRIER_FORMATS, carrierOf } from "../../../services/logistics/carriers/carrier-registry";
import type { CarrierEvent } from "../../../services/logistics/domain/carrier-event";
import { normalizeTrackingNo } from "../../../services/logistics/domain/shipment";
import { CARRIERS, type Carrier, LOGISTICS_STATUSES } from "../../../shared/contracts/logistics.contract";

const RANDOM = Buffer.from("00112233445566778899aabbccddeeff0011223344556677", "hex");

/** Numbers that look like each carrier's, and numbers that do not. */
const TRACKING_NOS: Record<Carrier, { valid: string[]; invalid: string[] }> = {
  SF: {
    valid: ["SF123456789012", "SF1234567890123"],
    invalid: [
      "SF12345678901",
      "SF12345678901234",
      "sf123456789012",
      "SX123456789012",
      "123456789012",
      "SF12345678901A",
    ],
  },
  ZTO: {
    valid: ["751234567890", "531234567890", "75123456789012", "73000000000001"],
    invalid: ["651234567890", "55123456789012", "7512345678901", "7512345678901234", "ZT751234567890"],
  },
  YTO: {
    valid: ["YT1234567890123", "YT0000000000000"],
    invalid: ["YT123456789012", "YT12345678901234", "YD1234567890123", "1234567890123"],
  },
  JD: {
    valid: ["JD1234567890123", "JDVA12345678901", "JDVF00000000001"],
    invalid: ["JD123456789012", "JDVG12345678901", "JDVA1234567890", "JDX123456789012", "VA12345678901"],
  },
  CAINIAO: {
    valid: ["LP12345678901234", "LP00000000000001"],
    invalid: ["LP1234567890123", "LP123456789012345", "LX12345678901234", "12345678901234"],
  },
};

describe.each(CARRIERS.map((code) => [code, CARRIER_FORMATS[code]] as const))(
  "%s carrier format",
  (code, format) => {
    it("knows its own code", () => {
      expect(format.code).toBe(code);
    });

    it.each(TRACKING_NOS[code].valid)("accepts the tracking number %s", (trackingNo) => {
      expect(format.isTrackingNo(trackingNo)).toBe(true);
    });

    it.each(TRACKING_NOS[code].invalid)("refuses the tracking number %s", (trackingNo) => {
      expect(format.isTrackingNo(trackingNo)).toBe(false);
    });

    it("issues distinct waybill numbers in its own format and no other carrier's", () => {
      const numbers = [1, 2, 999_999, 123_456_789].map((serial) => format.trackingNoOf(serial));
      expect(new Set(numbers).size).toBe(numbers.length);
      for (const trackingNo of numbers) {
        expect(format.isTrackingNo(trackingNo)).toBe(true);
        for (const other of CARRIERS.filter((c) => c !== code)) {
          expect(CARRIER_FORMATS[other].isTrackingNo(trackingNo)).toBe(false);
        }
      }
    });

    it.each(LOGISTICS_STATUSES)("writes and reads back a %s event", (status) => {
      const event: CarrierEvent = {
        eventId: format.eventId(RANDOM),
        trackingNo: format.trackingNoOf(42),
        status,
        at: "2026-11-26T01:02:03.000Z",
        description: "到达【上海转运中心】",
      };
      const rawBody = format.encode(event);
      expect(JSON.parse(rawBody)).toBeInstanceOf(Object);
      expect(format.decode(rawBody)).toEqual(event);
    });

    it("leaves out a missing description", () => {
      const event = {
        eventId: "e-1",
        trackingNo: format.trackingNoOf(7),
        status: "SIGNED" as const,
        at: "2026-11-26T01:02:03.000Z",
      };
      expect(format.decode(format.encode(event))).toEqual(event);
    });

    it("refuses a body that is not its format with 400 naming the field", () => {
      expect(() => format.decode("not json")).toThrow(
        expect.objectContaining({ type: "BAD_REQUEST", code: 400 }),
      );
      expect(() => format.decode("[]")).toThrow(expect.objectContaining({ type: "BAD_REQUEST" }));
      const good = JSON.parse(
        format.encode({
          eventId: "e-2",
          trackingNo: format.trackingNoOf(8),
          status: "IN_TRANSIT",
          at: "2026-11-26T01:02:03.000Z",
        }),
      );
      const otherCarrier = CARRIER_FORMATS[code === "SF" ? "JD" : "SF"].encode({
        eventId: "e-3",
        trackingNo: "X",
        status: "IN_TRANSIT",
        at: "2026-11-26T01:02:03.000Z",
      });
      expect(() => format.decode(otherCarrier)).toThrow(
        expect.objectContaining({ type: "BAD_REQUEST", data: { field: expect.any(String) } }),
      );
      // An unknown status code names its field.
      const tampered = JSON.stringify(good).replace(
        /"(opCode|scan_type|infoContent|state|action)":"[^"]*"/,
        '"$1":"??"',
      );
      expect(() => format.decode(tampered)).toThrow(
        expect.objectContaining({
          data: { field: expect.stringMatching(/opCode|scan_type|infoContent|state|action/) },
        }),
      );
    });
  },
);

describe("carrier wire times", () => {
  it("report Shanghai wall-clock seconds, except JD's epoch milliseconds", () => {
    const event = {
      eventId: "e",
      trackingNo: "T",
      status: "PICKED_UP" as const,
      at: "2026-11-26T01:02:03.456Z",
    };
    expect(CARRIER_FORMATS.SF.encode(event)).toContain('"acceptTime":"2026-11-26 09:02:03"');
    expect(CARRIER_FORMATS.SF.decode(CARRIER_FORMATS.SF.encode(event)).at).toBe("2026-11-26T01:02:03.000Z");
    expect(CARRIER_FORMATS.JD.decode(CARRIER_FORMATS.JD.encode(event)).at).toBe("2026-11-26T01:02:03.456Z");
  });

  it("read the carriers' other codes for the same statuses", () => {
    const sf = JSON.stringify({
      WaybillRoute: { id: "1", mailno: "SF1", opCode: "31", acceptTime: "2026-11-26 09:00:00" },
    });
    expect(CARRIER_FORMATS.SF.decode(sf).status).toBe("IN_TRANSIT");
    const zto = JSON.stringify({
      msg_type: "TRACE_PUSH",
      data: { push_id: "1", bill_code: "75", scan_type: "到件", scan_date: "2026-11-26 09:00:00" },
    });
    expect(CARRIER_FORMATS.ZTO.decode(zto).status).toBe("IN_TRANSIT");
  });
});

describe("carrier codes and typed numbers", () => {
  it("reads a carrier code in any letter case", () => {
    expect(carrierOf("sf")).toBe("SF");
    expect(carrierOf(" Cainiao ")).toBe("CAINIAO");
  });

  it("refuses an unknown carrier with CARRIER_UNKNOWN naming the field", () => {
    for (const value of ["DHL", "", undefined, 42]) {
      expect(() => carrierOf(value)).toThrow(
        expect.objectContaining({
          type: "CARRIER_UNKNOWN",
          code: 422,
          data: expect.objectContaining({ field: "carrier" }),
        }),
      );
    }
  });

  it("normalises a typed tracking number: no spaces or dashes, upper case", () => {
    expect(normalizeTrackingNo(" sf 1234-5678 9012 ")).toBe("SF123456789012");
  });
});
