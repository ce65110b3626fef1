/**
 * Escapes LIKE wildcards so Prisma's `contains`/`startsWith` match the text literally (Prisma passes
 * `%` and `_` through; PostgreSQL's default escape character is the backslash).
 */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
