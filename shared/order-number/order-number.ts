/**
 * Order numbers (DOMAIN.md 4; docs/order-numbers.md): exactly 20 decimal digits.
 *
 *   C | T | yyMMdd | UUUU | SSSSSSS | K      e.g. 4 | 8 | 261126 | 4821 | 2950450 | 3
 *
 *   pos 1      C  source channel: 1 APP, 2 H5, 3 MINI_PROGRAM, 4 PC, 5 OPEN_API (so never 0)
 *   pos 2      T  number type: 1 STANDARD, 2 B2B_DISPATCH, 3 CROSS_BORDER, 4 VIRTUAL, 5 PARENT,
 *                 7 AFTER_SALES, 8 PAYMENT, 9 REFUND (0 and 6 reserved)
 *   pos 3-8       Asia/Shanghai calendar day (fixed UTC+8, China has no DST), years 2000-2099
 *   pos 9-12   U  buyer's user tail, see `userTail`
 *   pos 13-19  S  the day's counter for this type digit, permuted with a Feistel network over [0, 10^7)
 *                 keyed by HMAC-SHA512(secret, "oms-order-number-feistel:<YYYY-MM-DD>:<T>")
 *   pos 20     K  Luhn check digit over positions 1-19
 *
 * Capacity: 10^7 numbers per type digit per Shanghai day. The permutation hides volume from
 * buyers; it is obfuscation with a secret, not encryption with a security proof.
 */
import { createHmac } from "node:crypto";
import { validationFailed } from "../errors";

/** Digit of each source channel (position 1). */
export const SOURCE_CHANNEL_DIGITS = { APP: 1, H5: 2, MINI_PROGRAM: 3, PC: 4, OPEN_API: 5 } as const;
export type SourceChannel = keyof typeof SOURCE_CHANNEL_DIGITS;

/** Digit of each order type and of the non-order numbers that share the format (position 2). */
export const NUMBER_TYPE_DIGITS = {
  STANDARD: 1,
  B2B_DISPATCH: 2,
  CROSS_BORDER: 3,
  VIRTUAL: 4,
  PARENT: 5,
  AFTER_SALES: 7,
  PAYMENT: 8,
  REFUND: 9,
} as const;
export type OrderNumberType = keyof typeof NUMBER_TYPE_DIGITS;

/** Every order number has exactly this many digits. */
export const ORDER_NUMBER_LENGTH = 20;
const SEQUENCE_DIGITS = 7;
/** Counter values per type per day: sequences run from 0 to SEQUENCE_CAPACITY - 1. */
export const SEQUENCE_CAPACITY = 10 ** SEQUENCE_DIGITS;

// Hoisted: inside a vm context (Jest) every global lookup such as `Math.imul` is ~100x slower.
const { imul, floor } = Math;
const { isSafeInteger } = Number;

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const FEISTEL_ROUNDS = 8;
const MIN_SECRET_BYTES = 16;

/** What an order number is made from; `date` is a `YYYY-MM-DD` Shanghai day, `sequence` the raw counter. */
export interface OrderNumberFields {
  channel: SourceChannel;
  type: OrderNumberType;
  date: string;
  userId: string;
  sequence: number;
}

/** What a decoder reads back: the user id is reduced to its 4-digit tail. */
export interface DecodedOrderNumber extends Omit<OrderNumberFields, "userId"> {
  userTail: string;
}

/** What can be read without the secret: the sequence field stays permuted. */
export interface ParsedOrderNumber extends Omit<DecodedOrderNumber, "sequence"> {
  permutedSequence: number;
}

function byDigit<K extends string>(digits: Record<K, number>): (K | undefined)[] {
  const names: (K | undefined)[] = new Array(10).fill(undefined);
  for (const name of Object.keys(digits) as K[]) names[digits[name]] = name;
  return names;
}
const CHANNEL_BY_DIGIT = byDigit(SOURCE_CHANNEL_DIGITS);
const TYPE_BY_DIGIT = byDigit(NUMBER_TYPE_DIGITS);

/** The Asia/Shanghai calendar day of an instant as `YYYY-MM-DD` (orders are dated by China's day). */
export function orderDay(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

const utf8 = new TextEncoder();

/**
 * The buyer's 4-digit tail, for shard routing: the last 4 digits when the id ends in 4 ASCII digits
 * (an all-digit id shorter than that is zero-padded), else the 32-bit FNV-1a hash of its UTF-8 bytes mod 10^4.
 */
export function userTail(userId: string): string {
  if (typeof userId !== "string" || userId === "") throw new RangeError("user id must be a non-empty string");
  const digits = /^\d{1,3}$|\d{4}$/.exec(userId);
  if (digits) return digits[0].padStart(4, "0");
  let hash = 0x811c9dc5;
  if (/^[\x20-\x7e]*$/.test(userId)) {
    for (let i = 0; i < userId.length; i++) hash = imul(hash ^ userId.charCodeAt(i), 0x01000193);
  } else {
    for (const byte of utf8.encode(userId)) hash = imul(hash ^ byte, 0x01000193);
  }
  return `${(hash >>> 0) % 10_000}`.padStart(4, "0");
}

/** MurmurHash3's 32-bit finalizer, a fast bijective mixer; int32 in and out keeps V8 off float math. */
function fmix32(input: number): number {
  let h = input ^ (input >>> 16);
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A keyed bijection on [0, range): a balanced Feistel network over [0, m)², m = ⌈√range⌉, with cycle-walking. */
export class FeistelPermutation {
  private readonly width: number;
  private readonly keys: Int32Array;

  constructor(
    secret: string | Uint8Array,
    readonly range: number,
    label = "",
  ) {
    if (!isSafeInteger(range) || range < 1 || range > 2 ** 52) {
      throw new RangeError(`Feistel range must be an integer in [1, 2^52], got ${range}`);
    }
    let width = Math.ceil(Math.sqrt(range));
    while (width * width < range) width++;
    this.width = width;
    const digest = createHmac("sha512", secret).update(`oms-order-number-feistel:${label}`).digest();
    this.keys = new Int32Array(FEISTEL_ROUNDS * 2).map((_, i) => digest.readInt32BE(i * 4));
  }

  /** The image of x in [0, range); images in [range, m²) are permuted again (cycle-walking) until in range. */
  permute(x: number): number {
    this.checkInRange(x);
    let y = x;
    do y = this.forward(y);
    while (y >= this.range);
    return y;
  }

  /** The inverse of `permute`. */
  invert(y: number): number {
    this.checkInRange(y);
    let x = y;
    do x = this.backward(x);
    while (x >= this.range);
    return x;
  }

  private checkInRange(value: number): void {
    if (!isSafeInteger(value) || value < 0 || value >= this.range) {
      throw new RangeError(`value must be an integer in [0, ${this.range}), got ${value}`);
    }
  }

  private round(i: number, half: number): number {
    return (fmix32(fmix32(half ^ this.keys[2 * i]!) ^ this.keys[2 * i + 1]!) & 0x7fffffff) % this.width;
  }

  private forward(value: number): number {
    const m = this.width;
    let left = floor(value / m);
    let right = value % m;
    for (let i = 0; i < FEISTEL_ROUNDS; i++) {
      const next = (left + this.round(i, right)) % m;
      left = right;
      right = next;
    }
    return left * m + right;
  }

  private backward(value: number): number {
    const m = this.width;
    let left = floor(value / m);
    let right = value % m;
    for (let i = FEISTEL_ROUNDS - 1; i >= 0; i--) {
      const previous = (right - this.round(i, left) + m) % m;
      right = left;
      left = previous;
    }
    return left * m + right;
  }
}

function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    const digit = payload.charCodeAt(i) - 48;
    sum += double ? (digit > 4 ? digit * 2 - 9 : digit * 2) : digit;
  }
  return (10 - (sum % 10)) % 10;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `yyMMdd` (all digits) -> `20yy-MM-dd`, or undefined when that day does not exist. */
function expandDay(yymmdd: string): string | undefined {
  const month = +yymmdd.slice(2, 4);
  const day = +yymmdd.slice(4, 6);
  const leapDay = month === 2 && +yymmdd.slice(0, 2) % 4 === 0 ? 1 : 0; // every 4th year of 2000-2099
  const days = DAYS_IN_MONTH[month - 1];
  if (days === undefined || day < 1 || day > days + leapDay) return undefined;
  return `20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

function compactDay(date: string): string {
  return `${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}`;
}

/** Validates an order number and reads its fields without the secret (the sequence stays permuted). */
export function parseOrderNumber(orderNo: string): ParsedOrderNumber {
  const reject = (why: string) =>
    validationFailed("orderNo", `Invalid order number: ${why}`, { orderNo: String(orderNo).slice(0, 40) });
  if (typeof orderNo !== "string") throw reject("it must be a string of digits");
  if (orderNo.length !== ORDER_NUMBER_LENGTH) {
    throw reject(`it must have ${ORDER_NUMBER_LENGTH} digits, got ${orderNo.length} characters`);
  }
  if (!/^\d+$/.test(orderNo)) throw reject("it may contain only the digits 0-9");
  if (orderNo[0] === "0") throw reject("the first digit cannot be 0");
  if (luhnCheckDigit(orderNo.slice(0, -1)) !== orderNo.charCodeAt(19) - 48) {
    throw reject("the check digit does not match (mistyped?)");
  }
  const channel = CHANNEL_BY_DIGIT[orderNo.charCodeAt(0) - 48];
  if (!channel) throw reject(`unknown source channel digit ${orderNo[0]}`);
  const type = TYPE_BY_DIGIT[orderNo.charCodeAt(1) - 48];
  if (!type) throw reject(`unknown type digit ${orderNo[1]}`);
  const date = expandDay(orderNo.slice(2, 8));
  if (!date) throw reject(`there is no date ${orderNo.slice(2, 8)} (yyMMdd)`);
  return { channel, type, date, userTail: orderNo.slice(8, 12), permutedSequence: +orderNo.slice(12, 19) };
}

/** Encodes and decodes order numbers; the secret keys one sequence permutation per (day, type digit). */
export class OrderNumberCodec {
  private readonly permutations = new Map<string, FeistelPermutation>();

  constructor(private readonly secret: string | Uint8Array) {
    const bytes = typeof secret === "string" ? Buffer.byteLength(secret) : secret.byteLength;
    if (bytes < MIN_SECRET_BYTES) {
      throw new RangeError(`order number secret must have ${MIN_SECRET_BYTES}+ bytes`);
    }
  }

  /** The order number for these fields; throws RangeError on a field outside the format. */
  encode(fields: OrderNumberFields): string {
    const channel = SOURCE_CHANNEL_DIGITS[fields.channel];
    const type = NUMBER_TYPE_DIGITS[fields.type];
    if (channel === undefined) throw new RangeError(`unknown source channel ${fields.channel}`);
    if (type === undefined) throw new RangeError(`unknown order number type ${fields.type}`);
    const permuted = this.permutation(fields.date, type).permute(fields.sequence);
    const sequence = `${permuted}`.padStart(SEQUENCE_DIGITS, "0");
    const payload = `${channel}${type}${compactDay(fields.date)}${userTail(fields.userId)}${sequence}`;
    return `${payload}${luhnCheckDigit(payload)}`;
  }

  /** Validates an order number (VALIDATION_FAILED on field `orderNo`) and reads its fields and raw counter. */
  decode(orderNo: string): DecodedOrderNumber {
    const { permutedSequence, ...parts } = parseOrderNumber(orderNo);
    const sequence = this.permutation(parts.date, NUMBER_TYPE_DIGITS[parts.type]).invert(permutedSequence);
    return { ...parts, sequence };
  }

  private permutation(date: string, typeDigit: number): FeistelPermutation {
    const label = `${date}:${typeDigit}`;
    let permutation = this.permutations.get(label);
    if (!permutation) {
      if (!/^20\d\d-\d\d-\d\d$/.test(date) || expandDay(compactDay(date)) !== date) {
        throw new RangeError(`date must be a YYYY-MM-DD day in 2000-2099, got "${date}"`);
      }
      if (this.permutations.size >= 256) this.permutations.clear();
      permutation = new FeistelPermutation(this.secret, SEQUENCE_CAPACITY, label);
      this.permutations.set(label, permutation);
    }
    return permutation;
  }
}
