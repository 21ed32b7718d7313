import { OmsError } from "../../../shared/errors";

/** `count` decimal digits drawn from the bytes (each byte mod 10; fine for event ids). */
export function digitsOf(bytes: Buffer, count: number): string {
  let out = "";
  for (let i = 0; out.length < count; i++) out += String(bytes[i % bytes.length]! % 10);
  return out;
}

/** The serial left-padded with zeros to `width` digits (a sandbox waybill's running number). */
export function serialDigits(serial: number, width: number): string {
  const digits = String(serial);
  if (!Number.isSafeInteger(serial) || serial < 0 || digits.length > width) {
    throw new Error(`waybill serial ${serial} does not fit in ${width} digits`);
  }
  return digits.padStart(width, "0");
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The Shanghai wall-clock time of an instant as `yyyy-MM-dd HH:mm:ss` (carriers report whole seconds). */
export function shanghaiTime(at: string): string {
  return new Date(Date.parse(at) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** `yyyy-MM-dd HH:mm:ss` Shanghai time -> ISO instant, or undefined. */
export function fromShanghai(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Epoch milliseconds -> ISO instant, or undefined. */
export function fromEpochMs(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) > 0
    ? new Date(value as number).toISOString()
    : undefined;
}

/** The status whose wire code is `code` in a carrier's code table (aliases are read, never written). */
export function statusOfCode<S extends string>(
  codes: Readonly<Record<S, string>>,
  aliases: Readonly<Record<string, S>>,
  code: unknown,
): S | undefined {
  if (typeof code !== "string") return undefined;
  const found = (Object.keys(codes) as S[]).find((status) => codes[status] === code);
  return found ?? aliases[code];
}

/** A reader over a decoded webhook body that throws BAD_REQUEST naming the carrier and the field. */
export class BodyReader {
  private constructor(
    private readonly carrier: string,
    private readonly body: Record<string, unknown>,
  ) {}

  static parse(carrier: string, rawBody: string): BodyReader {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new OmsError("BAD_REQUEST", `${carrier} tracking event is not JSON`, { field: "body" });
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw new OmsError("BAD_REQUEST", `${carrier} tracking event is not an object`, { field: "body" });
    }
    return new BodyReader(carrier, body as Record<string, unknown>);
  }

  /** The value at a dotted path, or undefined. */
  get(path: string): unknown {
    let value: unknown = this.body;
    for (const key of path.split(".")) {
      if (!value || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  }

  /** A non-empty string of at most `max` characters. */
  text(path: string, max = 100): string {
    const value = this.get(path);
    if (typeof value !== "string" || value === "" || value.length > max) throw this.bad(path);
    return value;
  }

  /** An optional free text (absent or empty: undefined). */
  optionalText(path: string, max = 500): string | undefined {
    const value = this.get(path);
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string" || value.length > max) throw this.bad(path);
    return value;
  }

  /** Reads a value through `convert`, which answers undefined for a bad one. */
  as<T>(path: string, convert: (value: unknown) => T | undefined): T {
    const value = convert(this.get(path));
    if (value === undefined) throw this.bad(path);
    return value;
  }

  bad(field: string): OmsError {
    return new OmsError("BAD_REQUEST", `${this.carrier} tracking event has no valid ${field}`, { field });
  }
}
