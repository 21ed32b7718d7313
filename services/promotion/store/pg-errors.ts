/** PostgreSQL's unique_violation: a second insert of the same key. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string })?.code === "23505";

/** PostgreSQL's foreign_key_violation: a reference to a row that does not exist. */
export const isForeignKeyViolation = (err: unknown): boolean => (err as { code?: string })?.code === "23503";
