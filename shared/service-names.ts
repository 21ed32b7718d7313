/** The eight services of the system (DOMAIN.md section 2). */
export const SERVICE_NAMES = [
  "gateway",
  "order",
  "inventory",
  "promotion",
  "payment",
  "warehouse",
  "logistics",
  "notification",
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Parses a SERVICES list ("order,inventory"); empty means all. Unknown names are an error, not a silent skip. */
export function selectServices(list: string | undefined, known: readonly ServiceName[]): ServiceName[] {
  if (!list || list.trim() === "") return [...known];
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(known as readonly string[]).includes(name)) {
      throw new Error(`Unknown service "${name}" in SERVICES; known: ${known.join(", ")}`);
    }
  }
  return names as ServiceName[];
}
