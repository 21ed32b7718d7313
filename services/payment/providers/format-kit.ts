import { createHash } from "node:crypto";
import { OmsError } from "../../../shared/errors";
import type { ProviderResult } from "../domain/notice";

/** SHA-256 of the parts joined by '|': the stable source of derived ids. */
export function digestOf(...parts: string[]): Buffer {
  return createHash("sha256").update(parts.join("|")).digest();
}

/** `count` decimal digits drawn from the bytes (each byte mod 10; fine for sandbox numbers). */
export function digitsOf(bytes: Buffer, count: number): string {
  let out = "";
  for (let i = 0; out.length < count; i++) out += String(bytes[i % bytes.length]! % 10);
  return out;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The Shanghai wall-clock time of an instant as `yyyy-MM-dd HH:mm:ss`. */
export function shanghaiTime(at: Date | string): string {
  const ms = typeof at === "string" ? Date.parse(at) : at.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** `yyyyMMddHHmmss` in Shanghai time. */
export function shanghaiStamp(at: Date | string): string {
  return shanghaiTime(at).replace(/[- :]/g, "");
}

/** `yyyy-MM-dd HH:mm:ss` or `yyyyMMddHHmmss` Shanghai time -> ISO instant, or undefined. */
export function fromShanghai(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2}):?(\d{2}):?(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A reader over a decoded body that throws BAD_REQUEST naming the provider and the field. */
export class BodyReader {
  private constructor(
    private readonly provider: string,
    private readonly body: Record<string, unknown>,
  ) {}

  static parse(provider: string, rawBody: string): BodyReader {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new OmsError("BAD_REQUEST", `${provider} notification is not JSON`, { field: "body" });
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw new OmsError("BAD_REQUEST", `${provider} notification is not an object`, { field: "body" });
    }
    return new BodyReader(provider, body as Record<string, unknown>);
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

  text(path: string): string {
    const value = this.get(path);
    if (typeof value !== "string" || value === "" || value.length > 200) throw this.bad(path);
    return value;
  }

  minor(path: string): number {
    const value = this.get(path);
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw this.bad(path);
    return value as number;
  }

  /** Reads a value through `convert`, which answers undefined for a bad one. */
  as<T>(path: string, convert: (value: unknown) => T | undefined): T {
    const value = convert(this.get(path));
    if (value === undefined) throw this.bad(path);
    return value;
  }

  /** The result whose wire value is at `path`: `success` values mean SUCCESS, `failure` values FAIL. */
  result(path: string, success: readonly string[], failure: readonly string[]): ProviderResult {
    const value = this.get(path);
    if (typeof value === "string" && success.includes(value)) return "SUCCESS";
    if (typeof value === "string" && failure.includes(value)) return "FAIL";
    throw this.bad(path);
  }

  bad(field: string): OmsError {
    return new OmsError("BAD_REQUEST", `${this.provider} notification has no valid ${field}`, { field });
  }
}
