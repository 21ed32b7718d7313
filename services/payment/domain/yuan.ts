/** Providers that speak yuan as decimal text ("123.45"): exact conversion to and from fen, no floats. */

const YUAN_TEXT = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

/** 12345 -> "123.45"; 100 -> "1.00". */
export function minorToYuan(minor: number): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`not an amount of fen: ${minor}`);
  const fen = String(minor % 100).padStart(2, "0");
  return `${Math.floor(minor / 100)}.${fen}`;
}

/** "123.45" -> 12345, "1.5" -> 150, "7" -> 700; undefined when the text is not a plain yuan amount. */
export function yuanToMinor(text: unknown): number | undefined {
  if (typeof text !== "string" || !YUAN_TEXT.test(text)) return undefined;
  const [whole = "0", fraction = ""] = text.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}
