/**
 * Globally unique order numbers without a database round trip per order: each generator reserves
 * blocks of counter values with one Redis INCRBY on the key of a (Shanghai day, type digit) and hands
 * them out from memory. A block is never shared, so pods never collide; values left in a block when a
 * pod stops are skipped (gaps are harmless and the permutation hides them anyway).
 */
import type Redis from "ioredis";
import { OmsError } from "../errors";
import { redisKey } from "../redis";
import {
  NUMBER_TYPE_DIGITS,
  type OrderNumberCodec,
  type OrderNumberType,
  orderDay,
  SEQUENCE_CAPACITY,
  type SourceChannel,
} from "./order-number";

const DEFAULT_BLOCK_SIZE = 1000;
const DEFAULT_KEY_TTL_SECONDS = 3 * 24 * 60 * 60;

/** Reserves a block atomically and keeps the day's key from outliving its use. */
const RESERVE_BLOCK_LUA = `
local last = redis.call("INCRBY", KEYS[1], ARGV[1])
redis.call("EXPIRE", KEYS[1], ARGV[2])
return last`;

/** The counter key of one day and type digit: `<prefix>order-no:2026-11-26:1`. */
export function orderCounterKey(redisPrefix: string, date: string, type: OrderNumberType): string {
  const digit = NUMBER_TYPE_DIGITS[type];
  if (digit === undefined) throw new RangeError(`unknown order number type ${type}`);
  return redisKey({ redisPrefix }, "order-no", date, String(digit));
}

/** How a generator reaches Redis and how large its blocks are. */
export interface OrderNumberGeneratorOptions {
  /** A connection of this generator's own or shared; the caller closes it. */
  redis: Redis;
  /** The run's key prefix, normally `config.redisPrefix`. */
  redisPrefix: string;
  codec: OrderNumberCodec;
  /** Counter values reserved per INCRBY (default 1000): larger means fewer round trips, more skipped on restart. */
  blockSize?: number;
  /** Expiry of a day's counter key, refreshed on every block (default 3 days). */
  keyTtlSeconds?: number;
  now?: () => Date;
}

/** Who the number is for. */
export interface OrderNumberRequest {
  channel: SourceChannel;
  type: OrderNumberType;
  userId: string;
}

interface CounterBlock {
  next: number;
  end: number;
  exhausted: boolean;
  refill: Promise<void> | undefined;
}

/** Hands out order numbers from counter blocks reserved in Redis, one INCRBY per block. */
export class OrderNumberGenerator {
  private readonly blocks = new Map<string, CounterBlock>();
  private blocksDate = "";
  private readonly blockSize: number;
  private readonly keyTtlSeconds: number;
  private readonly now: () => Date;

  constructor(private readonly options: OrderNumberGeneratorOptions) {
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    this.keyTtlSeconds = options.keyTtlSeconds ?? DEFAULT_KEY_TTL_SECONDS;
    this.now = options.now ?? (() => new Date());
    if (!Number.isSafeInteger(this.blockSize) || this.blockSize < 1 || this.blockSize > SEQUENCE_CAPACITY) {
      throw new RangeError(
        `blockSize must be an integer in [1, ${SEQUENCE_CAPACITY}], got ${this.blockSize}`,
      );
    }
    if (!Number.isSafeInteger(this.keyTtlSeconds) || this.keyTtlSeconds < 86_400) {
      throw new RangeError(`keyTtlSeconds must be at least one day, got ${this.keyTtlSeconds}`);
    }
  }

  /** A new order number dated today (Shanghai); throws SERVICE_UNAVAILABLE once the day's range is exhausted. */
  async next(request: OrderNumberRequest): Promise<string> {
    const date = orderDay(this.now());
    const sequence = await this.take(date, request.type);
    return this.options.codec.encode({ ...request, date, sequence });
  }

  private async take(date: string, type: OrderNumberType): Promise<number> {
    const block = this.blockFor(date, type);
    while (block.next >= block.end) {
      if (block.exhausted) {
        throw new OmsError(
          "SERVICE_UNAVAILABLE",
          `Order number range of type ${type} for ${date} is exhausted (${SEQUENCE_CAPACITY} a day)`,
          { date, type, capacity: SEQUENCE_CAPACITY },
        );
      }
      // Callers that find the block empty share one reservation instead of each reserving a block.
      if (!block.refill) {
        const key = orderCounterKey(this.options.redisPrefix, date, type);
        block.refill = this.reserve(key, block).finally(() => {
          block.refill = undefined;
        });
      }
      await block.refill;
    }
    return block.next++;
  }

  private blockFor(date: string, type: OrderNumberType): CounterBlock {
    if (date !== this.blocksDate) {
      this.blocks.clear();
      this.blocksDate = date;
    }
    let block = this.blocks.get(type);
    if (!block) {
      block = { next: 0, end: 0, exhausted: false, refill: undefined };
      this.blocks.set(type, block);
    }
    return block;
  }

  private async reserve(key: string, block: CounterBlock): Promise<void> {
    const reply = await this.options.redis.eval(
      RESERVE_BLOCK_LUA,
      1,
      key,
      this.blockSize,
      this.keyTtlSeconds,
    );
    const last = Number(reply);
    if (!Number.isSafeInteger(last))
      throw new Error(`Unexpected reply from order counter ${key}: ${String(reply)}`);
    const start = last - this.blockSize;
    if (start >= SEQUENCE_CAPACITY) {
      block.exhausted = true;
      return;
    }
    block.next = start;
    block.end = Math.min(last, SEQUENCE_CAPACITY);
  }
}
