// Exchange-style address filters in SQL (SQLite and PostgreSQL alike): `*` wildcards (`*@contoso.com`), case-insensitive,
// several values ORed, always as bound parameters.

/** `*` wildcards to a LIKE pattern (escape character `\`). */
export function likePattern(value: string): string {
  return value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/** Adds `(lower(column) LIKE ? OR …)` for the values, if any, to `where`, and their patterns to `args`. */
export function anyLike(where: string[], args: unknown[], column: string, values: string[] | undefined): void {
  if (!values?.length) return;
  where.push(`(${values.map(() => `lower(${column}) LIKE ? ESCAPE '\\'`).join(' OR ')})`);
  args.push(...values.map(likePattern));
}
