import type { Minor } from "../../../shared/money";
import { NODES, type NodeCode, PLACEHOLDERS, type Placeholder, type PlaceholderValues } from "./nodes";

// `{name}`: a letter, then letters or digits. Anything else in braces is literal text.
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholder names a template uses, in order of first use. */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/** The first placeholder the template uses that the node does not offer, or null. */
export function unofferedPlaceholder(node: NodeCode, template: string): string | null {
  const offered: readonly string[] = NODES[node].placeholders;
  return placeholdersIn(template).find((name) => !offered.includes(name)) ?? null;
}

/** Shown for a placeholder the event had no value for (a shipment without a carrier). */
export const MISSING_VALUE = "-";

const KNOWN: ReadonlySet<string> = new Set(PLACEHOLDERS);

/** Fills a template's placeholders; a value the event lacks reads as "-", unknown names stay as written. */
export function render(template: string, values: PlaceholderValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    KNOWN.has(name) ? (values[name as Placeholder] ?? MISSING_VALUE) : whole,
  );
}

/** Minor units as yuan with two decimals: 12345 -> "123.45", 5 -> "0.05". */
export function formatYuan(amount: Minor): string {
  const abs = Math.abs(amount);
  const fen = String(abs % 100).padStart(2, "0");
  return `${amount < 0 ? "-" : ""}${Math.floor(abs / 100)}.${fen}`;
}

// Buyers read times in China Standard Time (UTC+8, no daylight saving).
const CHINA_OFFSET_MS = 8 * 3600_000;

/** An instant as "YYYY-MM-DD HH:mm" in China Standard Time; an unparsable one reads as "-". */
export function formatDeadline(instant: string | Date): string {
  const ms = new Date(instant).getTime();
  if (Number.isNaN(ms)) return MISSING_VALUE;
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

const CARRIER_NAMES: Record<string, string> = {
  SF: "顺丰速运",
  ZTO: "中通快递",
  YTO: "圆通速递",
  JD: "京东物流",
  CAINIAO: "菜鸟",
};

/** A carrier code as buyers know it: "SF" -> "顺丰速运"; unknown codes stay as they are. */
export function carrierName(carrier: string | null | undefined): string | undefined {
  if (!carrier) return undefined;
  return CARRIER_NAMES[carrier] ?? carrier;
}
