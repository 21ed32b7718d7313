import { validationFailed } from "./errors";

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a configuration duration like "30m", "10d", "1500ms" (API.md) into milliseconds; 422 naming `field` otherwise. */
export function parseDuration(value: unknown, field: string): number {
  const match = typeof value === "string" ? /^(\d{1,9})(ms|s|m|h|d)$/.exec(value.trim()) : null;
  if (!match?.[1] || !match[2]) {
    throw validationFailed(field, `${field} must be a duration like "30m", "10d" or "1500ms"`, { value });
  }
  return Number(match[1]) * (UNITS_MS[match[2]] ?? 1);
}

/** The shortest exact form of a duration: 1_800_000 -> "30m". */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNITS_MS[unit] ?? 1;
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
