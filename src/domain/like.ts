/**
 * Escapes LIKE wildcards so a `LIKE`/`ILIKE` pattern (or Prisma's `contains`/`startsWith`, which pass
 * `%` and `_` through) matches the text literally; PostgreSQL's default escape character is the backslash.
 */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
