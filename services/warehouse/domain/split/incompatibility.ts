import type { IncompatibilityTable } from "./split-types";

const pairKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

function malformed(text: string, why: string): Error {
  return new Error(`Malformed incompatible storage classes "${text}": ${why}`);
}

function storageClassOf(text: string, raw: string | undefined, entry: string): string {
  const name = (raw ?? "").trim();
  if (name === "" || /\s/.test(name)) {
    throw malformed(text, `"${entry}" needs two class names without spaces, as CLASS_A:CLASS_B`);
  }
  return name;
}

/**
 * Reads WAREHOUSE_INCOMPATIBLE_CLASSES ("FOOD:CHEMICAL,COLD_CHAIN:AMBIENT"); blank text means no pair is
 * incompatible. Class names are case-sensitive; a class paired with itself is refused as a typo.
 */
export function parseIncompatibleClasses(text: string): IncompatibilityTable {
  const table = new Set<string>();
  if (text.trim() === "") return table;
  for (const rawEntry of text.split(",")) {
    const entry = rawEntry.trim();
    if (entry === "") throw malformed(text, "an entry is empty (stray comma?)");
    const parts = entry.split(":");
    if (parts.length !== 2) throw malformed(text, `"${entry}" must be exactly CLASS_A:CLASS_B`);
    const a = storageClassOf(text, parts[0], entry);
    const b = storageClassOf(text, parts[1], entry);
    if (a === b) throw malformed(text, `"${entry}" pairs a class with itself`);
    table.add(pairKey(a, b));
  }
  return table;
}

/** Whether two storage classes may share a package; looks both ways so a hand-built table works too. */
export function compatible(table: IncompatibilityTable, a: string, b: string): boolean {
  return !table.has(`${a}:${b}`) && !table.has(`${b}:${a}`);
}
