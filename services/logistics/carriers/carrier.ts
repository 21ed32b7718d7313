import type { Carrier } from "../../../shared/contracts/logistics.contract";
import type { CarrierEvent } from "../domain/carrier-event";

/** A carrier's document as it travels: the exact body and its `X-Signature`. */
export interface SignedDocument {
  rawBody: string;
  signature: string;
}

/** What a carrier needs to issue an online waybill. */
export interface WaybillRequest {
  packageId: string;
  orderNo: string;
  address: {
    name: string;
    phone: string;
    province: string;
    city: string;
    district: string;
    detail: string;
    postcode?: string;
  };
  weightGrams: number;
}

/** A carrier's answer to a cancel: whether the waybill was cancelled before (a repeated request). */
export interface WaybillCancellation {
  alreadyCancelled: boolean;
}

/** How one carrier numbers waybills and writes its tracking webhooks (pure: no I/O). */
export interface CarrierFormat {
  readonly code: Carrier;
  /** The tracking number's shape, for people (docs and error messages). */
  readonly trackingNoShape: string;
  /** Whether a typed-in tracking number has this carrier's shape. */
  isTrackingNo(trackingNo: string): boolean;
  /** The tracking number of a waybill with this running serial (sandbox numbering). */
  trackingNoOf(serial: number): string;
  /** A new id for a tracking event; `random` gives the unpredictable part. */
  eventId(random: Buffer): string;
  /** The webhook body exactly as the carrier sends it. */
  encode(event: CarrierEvent): string;
  /** Reads a (signature-checked) body; BAD_REQUEST naming the field when it is not this carrier's format. */
  decode(rawBody: string): CarrierEvent;
}

/**
 * One carrier behind the common interface. The sandbox implements it; a real adapter (SF, ZTO,
 * YTO, JD, Cainiao open platforms over HTTPS) plugs in with the same call. Tracking arrives by
 * signed webhook, read with `format`.
 */
export interface CarrierAdapter {
  readonly format: CarrierFormat;
  /** Issues an online waybill at the carrier and answers its tracking number. */
  createWaybill(request: WaybillRequest): Promise<{ trackingNo: string }>;
  /**
   * Cancels an online waybill at the carrier, so it does not come to collect the package; repeating it is
   * harmless (`alreadyCancelled`). A carrier that already has the package refuses with 409 CONFLICT
   * `{reason: "WAYBILL_PICKED_UP"}`; any other failure throws and the caller retries.
   */
  cancelWaybill(waybillNo: string): Promise<WaybillCancellation>;
}
