import { compatible } from "./incompatibility";
import { cutInto, type IncompatibilityTable, type LineGroup, type SplitLine } from "./split-types";

/**
 * Rule 2: incompatible storage classes never share a group. Greedy by line order: each line joins the
 * first sub-group whose lines are all compatible with it, else opens a new one.
 */
export function splitByStorageClass(group: LineGroup, table: IncompatibilityTable): LineGroup[] {
  const pieces: SplitLine[][] = [];
  for (const line of group.lines) {
    const home = pieces.find((piece) =>
      piece.every((other) => compatible(table, other.storageClass, line.storageClass)),
    );
    if (home) home.push(line);
    else pieces.push([line]);
  }
  return cutInto(group, pieces, "STORAGE_CLASS");
}
