import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import type {
  DeductResult,
  ReleaseParams,
  ReleaseResult,
  ReservationStatus,
  ReservedLine,
  ReserveParams,
  ReserveResult,
} from "../../../shared/contracts/inventory.contract";
import type { CatalogCache } from "../catalog/catalog-cache";
import type { ReservationRecord } from "../domain/reservation-fold";
import { planReserve } from "../domain/reserve-plan";
import { figuresFromHash, type StockFigures, withAvailable } from "../domain/stock-figures";
import { checkedFirst, warehousePreference } from "../domain/warehouse-preference";
import { decodeReservation } from "./reservation-codec";
import { asList, parseReply } from "./script-reply";
import { runScript, type ScriptRunOptions } from "./script-run";
import { CLOSED_RESERVATION_TTL_S, type StockKeys } from "./stock-keys";
import type { StockScripts } from "./stock-scripts";

/** What the stock desk needs. */
export interface StockDeskDeps extends ScriptRunOptions {
  redis: Redis;
  scripts: StockScripts;
  keys: StockKeys;
  catalog: CatalogCache;
}

type Reply = { status: ReservationStatus; lines: unknown };

/** The stock operations on the Redis hot path: each builds the arguments of one Lua script and maps its reply. */
export class StockDesk {
  constructor(private readonly d: StockDeskDeps) {}

  /** Reserves or checks every line (all or nothing), per the contract's `inventory.reserve`. */
  async reserve(params: ReserveParams): Promise<ReserveResult> {
    const { keys } = this.d;
    const skus = await this.d.catalog.skus(params.lines.map((l) => l.skuId));
    const plan = planReserve(params, skus, await this.d.catalog.warehouses());
    const scriptKeys = [keys.reservation(params.reservationId), keys.ledger, keys.built];
    const args: (string | number)[] = [params.reservationId, params.buyerId, params.province, plan.length];
    for (const l of plan) {
      scriptKeys.push(keys.stock(l.skuId), keys.limit(l.skuId, params.buyerId));
      args.push(
        l.skuId,
        l.lineId,
        l.quantity,
        l.strategy,
        l.limit ?? -1,
        l.candidates.length,
        ...l.candidates,
      );
    }
    const reply = await this.run<Reply>(() => this.d.scripts.reserve(scriptKeys, args), params.reservationId);
    return {
      reservationId: params.reservationId,
      status: reply.status,
      lines: asList<ReservedLine>(reply.lines),
    };
  }

  /** Releases a reservation once; releasing an unknown one leaves a tombstone so a late reserve holds nothing. */
  async release(params: ReleaseParams): Promise<ReleaseResult> {
    const { keys } = this.d;
    const reply = await this.run<{ released: boolean }>(async () => {
      const record = await this.reservation(params.reservationId);
      const lines = record?.status === "HELD" ? record.lines : [];
      const scriptKeys = [keys.reservation(params.reservationId), keys.ledger, keys.built];
      for (const l of lines) scriptKeys.push(keys.stock(l.skuId), keys.limit(l.skuId, record?.buyerId ?? ""));
      const args = [
        params.reservationId,
        CLOSED_RESERVATION_TTL_S,
        lines.length,
        ...lines.map((l) => l.skuId),
      ];
      return this.d.scripts.release(scriptKeys, args);
    }, params.reservationId);
    return { reservationId: params.reservationId, released: reply.released };
  }

  /** Marks a held reservation sold (payment succeeded), its units reserved until shipped; with `dryRun` only checks that it could. */
  async deduct(reservationId: string, dryRun = false): Promise<DeductResult> {
    const { keys } = this.d;
    const reply = await this.run<Reply>(async () => {
      const record = await this.reservation(reservationId);
      const lines = record?.lines ?? [];
      const preference = record
        ? warehousePreference(await this.d.catalog.warehouses(), record.province)
        : [];
      const scriptKeys = [keys.reservation(reservationId), keys.ledger, keys.built];
      const args: (string | number)[] = [reservationId, dryRun ? 1 : 0, lines.length];
      for (const l of lines) {
        scriptKeys.push(keys.stock(l.skuId));
        const candidates = l.strategy === "RESERVE_ON_ORDER" ? [] : checkedFirst(preference, l.warehouseId);
        args.push(l.skuId, candidates.length, ...candidates);
      }
      return this.d.scripts.deduct(scriptKeys, args);
    }, reservationId);
    return { reservationId, status: reply.status, lines: asList<ReservedLine>(reply.lines) };
  }

  /** Sets on-hand (and optionally safety stock) of a SKU in a warehouse: an ADJUST movement. */
  async adjust(input: {
    skuId: string;
    warehouseId: string;
    onHand: number;
    safetyStock?: number;
  }): Promise<StockFigures> {
    const { keys } = this.d;
    const movementId = `adjust:${randomUUID()}:${input.skuId}:${input.warehouseId}`;
    const args = [input.skuId, input.warehouseId, input.onHand, input.safetyStock ?? -1, movementId];
    const reply = await this.run<{ onHand: number; reserved: number; safetyStock: number }>(() =>
      this.d.scripts.adjust([keys.stock(input.skuId), keys.ledger, keys.built], args),
    );
    const { onHand, reserved, safetyStock } = reply;
    return withAvailable(input.warehouseId, { onHand, reserved, safetyStock });
  }

  /** Gives a SKU about to be created its stock hash (a missing hash then always means lost counters). */
  async createSku(skuId: string): Promise<void> {
    await this.run(() => this.d.scripts.createSku([this.d.keys.stock(skuId), this.d.keys.built], []));
  }

  /** Live stock of an existing SKU in every warehouse that has a count for it. */
  async figures(skuId: string): Promise<StockFigures[]> {
    const { redis, keys } = this.d;
    const hash = await this.run<Record<string, string>>(async () => {
      const [[, built], [, stock]] = (await redis
        .multi()
        .exists(keys.built)
        .hgetall(keys.stock(skuId))
        .exec()) as [[unknown, number], [unknown, Record<string, string>]];
      return JSON.stringify(built === 1 && stock._ ? stock : { error: "NOT_READY" });
    });
    return figuresFromHash(hash);
  }

  /** The reservation record as Redis holds it. */
  async reservation(reservationId: string): Promise<ReservationRecord | null> {
    return decodeReservation(
      reservationId,
      await this.d.redis.hgetall(this.d.keys.reservation(reservationId)),
    );
  }

  /** Runs a script until it answers (see runScript), mapping its errors for this reservation. */
  private run<T>(call: () => Promise<string>, reservationId?: string): Promise<T> {
    return runScript(this.d, call, (raw) => parseReply<T>(raw, reservationId));
  }
}
