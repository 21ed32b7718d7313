import { randomBytes } from "node:crypto";
import type { Pool } from "pg";
import type { Carrier, LogisticsStatus } from "../../../shared/contracts/logistics.contract";
import { OmsError } from "../../../shared/errors";
import { signBody } from "../../../shared/webhooks/signature";
import { type CarrierEvent, DEFAULT_DESCRIPTIONS } from "../domain/carrier-event";
import { nextWaybillSerial, recordSandboxCancel, sandboxCancelledAt } from "../store/sandbox.repo";
import type {
  CarrierAdapter,
  CarrierFormat,
  SignedDocument,
  WaybillCancellation,
  WaybillRequest,
} from "./carrier";

/** Sends a carrier's signed webhook to our tracking endpoint. */
export type WebhookSender = (carrier: Carrier, document: SignedDocument) => Promise<unknown>;

/**
 * A sandbox carrier that behaves like the real one: waybill numbers in its own format (unique, from
 * a PostgreSQL sequence), cancellation of waybills (kept on its side, counted per request), and
 * tracking events as signed webhooks in its wire format, delivered to the same callback action the
 * HTTP route reaches.
 */
export class SandboxCarrier implements CarrierAdapter {
  readonly code: Carrier;

  constructor(
    readonly format: CarrierFormat,
    private readonly secret: string,
    private readonly pool: Pool,
    private readonly sendLater: (send: () => Promise<unknown>, delayMs: number) => void,
    private readonly sendWebhook: WebhookSender,
  ) {
    this.code = format.code;
  }

  async createWaybill(_request: WaybillRequest): Promise<{ trackingNo: string }> {
    return { trackingNo: this.format.trackingNoOf(await nextWaybillSerial(this.pool)) };
  }

  /** Cancels a waybill of this carrier's shape: the first request cancels it, a repeat says so. */
  async cancelWaybill(waybillNo: string): Promise<WaybillCancellation> {
    if (!this.format.isTrackingNo(waybillNo)) {
      throw new OmsError("NOT_FOUND", `No such ${this.code} waybill`, { carrier: this.code, waybillNo });
    }
    const { requests } = await recordSandboxCancel(this.pool, this.code, waybillNo);
    return { alreadyCancelled: requests > 1 };
  }

  /** When this carrier cancelled the waybill (it then sends no more tracking events), or null. */
  cancelledAt(trackingNo: string): Promise<string | null> {
    return sandboxCancelledAt(this.pool, this.code, trackingNo);
  }

  /**
   * A new tracking event of a waybill as this carrier's signed webhook, with the event as the
   * carrier reports it (its time to the carrier's precision).
   */
  trackingEvent(
    trackingNo: string,
    status: LogisticsStatus,
    at: Date,
    description?: string,
  ): { event: CarrierEvent; document: SignedDocument } {
    const rawBody = this.format.encode({
      eventId: this.format.eventId(randomBytes(24)),
      trackingNo,
      status,
      at: at.toISOString(),
      description: description ?? DEFAULT_DESCRIPTIONS[status],
    });
    return {
      event: this.format.decode(rawBody),
      document: { rawBody, signature: signBody(this.secret, rawBody) },
    };
  }

  /** Sends `count` copies of a webhook, after `delayMs` when given; without a delay, answers what each got. */
  async deliver(document: SignedDocument, count: number, delayMs?: number): Promise<unknown[]> {
    const sendAll = () =>
      Promise.all(Array.from({ length: count }, () => this.sendWebhook(this.code, document)));
    if (delayMs === undefined) return sendAll();
    this.sendLater(sendAll, delayMs);
    return [];
  }
}
