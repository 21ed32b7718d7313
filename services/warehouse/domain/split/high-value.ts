import { cutInto, type LineGroup, type SplitLine } from "./split-types";

/** Whether a whole line's declared value is strictly above the threshold. */
export function isHighValue(line: SplitLine, highValueMinor: number): boolean {
  return line.unitDeclaredValueMinor * line.quantity > highValueMinor;
}

/**
 * Rule 3: every high-value line leaves the group alone (all its units); the other lines stay together.
 * Pieces are ordered by their first line.
 */
export function isolateHighValue(group: LineGroup, highValueMinor: number): LineGroup[] {
  const pieces: SplitLine[][] = [];
  let rest: SplitLine[] | null = null;
  for (const line of group.lines) {
    if (isHighValue(line, highValueMinor)) {
      pieces.push([line]);
    } else if (rest) {
      rest.push(line);
    } else {
      rest = [line];
      pieces.push(rest);
    }
  }
  return cutInto(group, pieces, "HIGH_VALUE");
}
